import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsConfig, kafkaTuning, parseBrokers } from './client-config.js';

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
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      const c = kafkajsConfig('h:9093', {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'SCRAM-SHA-512',
        'sasl.username': 'u',
        'sasl.password': 'p',
        'ssl.ca.location': join(dir, 'ca.pem'),
        'ssl.endpoint.identification.algorithm': '',
      });
      expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
      expect((c.ssl as { ca: string[] }).ca).toEqual(['CA']);
      expect(typeof (c.ssl as { checkServerIdentity: unknown }).checkServerIdentity).toBe('function');
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
});
