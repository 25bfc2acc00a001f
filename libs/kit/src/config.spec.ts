import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, loadConfig, ServiceEnv } from './config.js';

const Env = ServiceEnv.extend({
  METRICS_PORT: ServiceEnv.shape.METRICS_PORT.default(9100),
  EXTRA: z.string().min(3),
});

describe('loadConfig', () => {
  it('fills defaults and coerces numbers', () => {
    const config = loadConfig(Env, { EXTRA: 'abc', SHUTDOWN_GRACE_MS: '250' });
    expect(config).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/helpdesk',
      METRICS_PORT: 9100,
      SHUTDOWN_GRACE_MS: 250,
      LOG_LEVEL: 'info',
    });
  });

  it('treats an empty value as unset, so the default applies', () => {
    expect(loadConfig(Env, { EXTRA: 'abc', NATS_URL: '', LOG_LEVEL: '' })).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad key at once', () => {
    const attempt = () =>
      loadConfig(Env, {
        NATS_URL: 'http://nats',
        DATABASE_URL: 'nope',
        METRICS_PORT: '70000',
        LOG_LEVEL: 'loud',
      });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    })();
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'EXTRA',
      'LOG_LEVEL',
      'METRICS_PORT',
      'NATS_URL',
    ]);
    expect(problems.find((p) => p.startsWith('NATS_URL'))).toContain('nats://');
  });
});
