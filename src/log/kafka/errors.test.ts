import { describe, expect, it } from 'vitest';
import { isRetriableError, retrying } from './errors.js';

/** A kafkajs connection error as its Connection reports a socket error. */
function connectionError(code: string, message: string) {
  return Object.assign(new Error(`Connection error: ${message}`), { name: 'KafkaJSConnectionError', code });
}

describe('isRetriableError', () => {
  it('retries a broker that is away', () => {
    expect(isRetriableError(connectionError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9092'))).toBe(true);
    expect(isRetriableError(Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }))).toBe(true);
  });

  it('does not retry a TLS peer that is not trusted or does not trust us', () => {
    for (const code of [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'CERT_HAS_EXPIRED',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    ]) {
      expect(isRetriableError(connectionError(code, code)), code).toBe(false);
    }
  });

  it('fails at once, with the reason, instead of retrying until the deadline', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retrying(
        'connecting',
        async () => {
          calls++;
          throw connectionError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain');
        },
        { timeoutMs: 10_000 },
      ),
    ).rejects.toThrow(/self-signed certificate/);
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
