import type { SSTConfig } from 'sst';
import { loadDeploymentConfig } from './stacks/config.js';
import { APP_NAME, reconcilerStack } from './stacks/Reconciler.js';

export default {
  config(input) {
    // The stage is only known here when given on the command line; per-stage
    // overrides of `region` need `--stage`, and the stack checks the result.
    const stage = input.stage ?? process.env.SST_STAGE ?? '';
    const deployment = loadDeploymentConfig({ stage });

    return { name: APP_NAME, region: deployment.region };
  },
  stacks(app) {
    const deployment = loadDeploymentConfig({ stage: app.stage });
    app.stack(reconcilerStack(deployment));
  },
} satisfies SSTConfig;
