import { loadConfig } from '../../src/config/config.js';

/**
 * Every environment variable name loadConfig reads (it is the schema of the settings): observed
 * by handing it an environment that records each lookup, once per storage driver.
 */
export function settingNames(): Set<string> {
  const seen = new Set<string>();
  const probe = (env: Record<string, string>) =>
    new Proxy(env, {
      get(target, key) {
        if (typeof key === 'string') seen.add(key);
        return target[key as string];
      },
    });
  const secret = 'settings-probe-signing-secret-0123456789abcdef';
  loadConfig(probe({ SIGNING_SECRET: secret }));
  loadConfig(probe({ SIGNING_SECRET: secret, STORAGE_DRIVER: 's3', S3_BUCKET: 'probe-bucket' }));
  return seen;
}
