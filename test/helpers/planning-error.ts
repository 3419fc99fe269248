// The message of the ConfigError a config stops with at planning, before anything runs.
import { ConfigError } from '../../src/config-errors';
import { runExperiments } from '../../src/runner/run';
import { writeConfig } from './runner';

/** Writes `config` to root/case.json and runs it; the ConfigError's message, with root shown as <root>. */
export async function planningError(root: string, config: object): Promise<string> {
  writeConfig(root, 'case.json', config);
  const error = await runExperiments({
    config: 'case.json',
    cwd: root,
    progress: 'none',
    log: () => {},
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message.replace(root, '<root>');
}
