import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildGumshoeApp } from '../lib/gumshoe-app';

// Entry point of `cdk synth` / `cdk deploy` (cdk.json); configuration comes from `-c key=value`.
const app = new App();
buildGumshoeApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
