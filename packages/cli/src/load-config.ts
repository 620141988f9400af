import { readFile } from 'node:fs/promises';
import {
  ConfigurationError,
  parseConfig,
  type ReconcilerConfig,
} from '../../core/src/index.js';

/** Reads and checks a JSON configuration file. */
export async function loadConfigFile(path: string): Promise<ReconcilerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read configuration file ${path}`, [], {
      cause: error,
    });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `Configuration file ${path} is not valid JSON: ${(error as Error).message}`,
      [],
      { cause: error }
    );
  }

  return parseConfig(input);
}

/**
 * Without a file, the caller's own account in the default Region is the
 * registry: the usual case of running the tool inside the registry account.
 */
export function defaultConfig(
  callerAccountId: string,
  region: string
): ReconcilerConfig {
  return parseConfig({
    registries: [{ accountId: callerAccountId, regions: [region] }],
  });
}
