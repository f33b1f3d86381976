/** Entry point of the experiment CLI bundle (vite.cli.config.ts → dist-cli/experiment.mjs). */
import { main, nodeIO } from './cli';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
main(process.argv.slice(2), { ...nodeIO(), signal: controller.signal }).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
