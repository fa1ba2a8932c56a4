import { AppConfig, ConfigError } from './app-config.js';

describe('AppConfig', () => {
  it('applies defaults: port 3000 on loopback, embedded database, single-node jobs', () => {
    const config = AppConfig.fromEnvironment({});
    expect(config.env).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './var', MIGRATIONS_RUN: true });
    expect(config.embeddedDatabase).toBe(true);
    expect(config.singleNode).toBe(true);
    expect(config.cookieSecure).toBe(false);
  });

  it('reads and coerces values; empty strings count as unset', () => {
    const config = AppConfig.fromEnvironment({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/chorus',
      REDIS_URL: '',
      MIGRATIONS_RUN: 'false',
      NODE_ENV: 'production',
    });
    expect(config.env.PORT).toBe(8080);
    expect(config.embeddedDatabase).toBe(false);
    expect(config.singleNode).toBe(true);
    expect(config.env.MIGRATIONS_RUN).toBe(false);
    expect(config.cookieSecure).toBe(true);
  });

  it('names every bad setting and the value it got', () => {
    let error: unknown;
    try {
      AppConfig.fromEnvironment({ PORT: '70000', DATABASE_URL: 'mysql://x', TRUST_PROXY: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('"70000"');
    expect(message).toMatch(/DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(message).toMatch(/TRUST_PROXY: must be true or false/);
  });
});
