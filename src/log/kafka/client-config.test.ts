import { describe, expect, it } from 'vitest';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsConfig, kafkaTuning, parseBrokers } from './client-config.js';

// A self-signed EC certificate and its key, made for these tests with openssl (valid until 2126).
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUUqj1kV05JwCRsRHZXGInQtAMP7UwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTa3N0cmVhbS1jb25maWctdGVzdDAgFw0yNjExMjIwNjIzMTZa
GA8yMTI2MTAyOTA2MjMxNlowHjEcMBoGA1UEAwwTa3N0cmVhbS1jb25maWctdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBtWHCv8DSnDARX4OBEkhYDSLgZf
//B3XeLwmPZ8imEhfAsqRX7MlawSwxrbxaZTDayXe1/1bYQTQxgp/q6T1VWjUzBR
MB0GA1UdDgQWBBTnHBFMib7bUJInFkBc6z3OVeidezAfBgNVHSMEGDAWgBTnHBFM
ib7bUJInFkBc6z3OVeidezAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIG/e3Cl9GZ0C421NilxEPxnXeya5rAsYt1HCJq6pEHKAAiB9q/phFVjpEBCT
ixotIfpNPmq68FOGI8bHaqfEGtiRsg==
-----END CERTIFICATE-----
`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpDxd/hxYb78GRoqw
BhPUaGka0rMt1WxOwrH64y/zIVihRANCAAQbVhwr/A0pwwEV+DgRJIWA0i4GX//w
d13i8Jj2fIphIXwLKkV+zJWsEsMa28WmUw2sl3tf9W2EE0MYKf6uk9VV
-----END PRIVATE KEY-----
`;

describe('Kafka client settings', () => {
  it('parses bootstrap servers and rejects malformed ones', () => {
    expect(parseBrokers('a:9092, b:9093')).toEqual(['a:9092', 'b:9093']);
    expect(() => parseBrokers('localhost')).toThrow("invalid bootstrap server 'localhost': expected host:port");
    expect(() => parseBrokers('')).toThrow('no Kafka bootstrap servers given');
  });

  it('is plaintext without SASL by default', () => {
    const c = kafkajsConfig('127.0.0.1:9092');
    expect(c.ssl).toBeUndefined();
    expect(c.sasl).toBeUndefined();
    expect(c.clientId).toBe('kstream');
  });

  it('maps Kafka property names to kafkajs SASL and TLS options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstream-cfg-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), CERT);
      const c = kafkajsConfig('h:9093', {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.username': 'u',
        'sasl.password': 'p',
        'ssl.ca.location': join(dir, 'ca.pem'),
        'ssl.endpoint.identification.algorithm': '',
      });
      expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
      expect((c.ssl as { ca: string[] }).ca).toEqual([CERT]);
      expect(typeof (c.ssl as { checkServerIdentity: unknown }).checkServerIdentity).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps SCRAM-SHA-256 over SASL_PLAINTEXT and mutual TLS with an encrypted key', () => {
    expect(
      kafkajsConfig('h:9092', { 'security.protocol': 'sasl_plaintext', 'sasl.mechanism': 'scram-sha-256', 'sasl.username': 'u', 'sasl.password': 'p' }),
    ).toMatchObject({ sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } });
    const dir = mkdtempSync(join(tmpdir(), 'kstream-cfg-'));
    try {
      const encrypted = createPrivateKey(KEY).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
      writeFileSync(join(dir, 'ca.pem'), CERT);
      writeFileSync(join(dir, 'client.pem'), CERT);
      writeFileSync(join(dir, 'client.key'), encrypted);
      const c = kafkajsConfig('h:9093', {
        'security.protocol': 'SSL',
        'ssl.ca.location': join(dir, 'ca.pem'),
        'ssl.certificate.location': join(dir, 'client.pem'),
        'ssl.key.location': join(dir, 'client.key'),
        'ssl.key.password': 'pw',
      });
      expect(c.ssl).toEqual({ ca: [CERT], cert: CERT, key: encrypted, passphrase: 'pw' });
      expect(c.sasl).toBeUndefined();
      expect(kafkajsConfig('h:9093', { 'security.protocol': 'SSL' }).ssl).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks TLS files when the settings are read, in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstream-cfg-'));
    try {
      const f = (name: string, text: string): string => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const cert = f('client.pem', CERT);
      const key = f('client.key', KEY);
      const encrypted = f('encrypted.key', createPrivateKey(KEY).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string);
      const other = f('other.key', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      const junk = f('junk.pem', 'not a certificate\n');
      const ssl = (more: Record<string, string>) => () => kafkajsConfig('h:9093', { 'security.protocol': 'SSL', ...more });
      expect(ssl({ 'ssl.certificate.location': cert, 'ssl.key.location': encrypted, 'ssl.key.password': 'wrong' })).toThrow(
        `ssl.key.location: cannot decrypt ${encrypted}: wrong or missing ssl.key.password`,
      );
      expect(ssl({ 'ssl.certificate.location': cert, 'ssl.key.location': encrypted })).toThrow('wrong or missing ssl.key.password');
      expect(ssl({ 'ssl.certificate.location': cert, 'ssl.key.location': other })).toThrow(
        `ssl.certificate.location ${cert} does not belong to ssl.key.location ${other}`,
      );
      expect(ssl({ 'ssl.certificate.location': junk, 'ssl.key.location': key })).toThrow(/^TLS: cannot load .*junk\.pem, .*client\.key: .*no start line$/);
      expect(ssl({ 'ssl.certificate.location': cert })).toThrow('ssl.certificate.location and ssl.key.location go together');
      expect(ssl({ 'ssl.key.location': key })).toThrow('ssl.certificate.location and ssl.key.location go together');
      expect(ssl({ 'ssl.ca.location': junk })).toThrow(`ssl.ca.location: ${junk} holds no PEM certificate`);
      expect(ssl({ 'ssl.ca.location': cert, 'ssl.certificate.location': cert, 'ssl.key.location': key })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes credentials from a Java JAAS line and kafkajs-style objects from JSON', () => {
    const c = kafkajsConfig('h:9092', {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";',
    });
    expect(c.sasl).toEqual({ mechanism: 'plain', username: 'alice', password: 'secret' });
    const k = kafkajsConfig('h:9092', { ssl: true, sasl: { mechanism: 'plain', username: 'a', password: 'b' }, kafkajs: { connectionTimeout: 1234 } });
    expect(k.ssl).toBe(true);
    expect(k.sasl).toEqual({ mechanism: 'plain', username: 'a', password: 'b' });
    expect(k.connectionTimeout).toBe(1234);
  });

  it('explains what is wrong in one line', () => {
    expect(() => kafkajsConfig('h:1', { 'security.protocol': 'TLS' })).toThrow("security.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'");
    expect(() => kafkajsConfig('h:1', { 'security.protocol': 'SASL_SSL' })).toThrow('needs sasl.username and sasl.password');
    expect(() => kafkajsConfig('h:1', { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI', 'sasl.username': 'u', 'sasl.password': 'p' })).toThrow(
      "sasl.mechanism: expected one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got 'GSSAPI'",
    );
    expect(() => kafkajsConfig('h:1', { 'sasl.username': 'u' })).toThrow('security.protocol is PLAINTEXT');
    expect(() => kafkajsConfig('h:1', { 'security.protocol': 'SSL', 'ssl.ca.location': '/nope/ca.pem' })).toThrow('ssl.ca.location: cannot read /nope/ca.pem: ENOENT');
  });

  it('reads tuning by Kafka and Kafka Streams names', () => {
    const t = kafkaTuning({ 'session.timeout.ms': '6000', 'task.timeout.ms': 1000, 'replication.factor': '3' });
    expect(t.sessionTimeoutMs).toBe(6000);
    expect(t.heartbeatIntervalMs).toBe(1000);
    expect(t.taskTimeoutMs).toBe(1000);
    expect(t.replicationFactor).toBe(3);
    expect(kafkaTuning({}).replicationFactor).toBe(-1);
    expect(() => kafkaTuning({ 'replication.factor': 0 })).toThrow('replication.factor');
  });

  it('rebalances cooperatively unless kstream.rebalance.protocol=eager', () => {
    expect(kafkaTuning({}).rebalanceProtocol).toBe('cooperative');
    expect(kafkaTuning({ 'kstream.rebalance.protocol': 'eager' }).rebalanceProtocol).toBe('eager');
    expect(() => kafkaTuning({ 'kstream.rebalance.protocol': 'sticky' })).toThrow("kstream.rebalance.protocol: expected 'cooperative' or 'eager', got 'sticky'");
  });
});
