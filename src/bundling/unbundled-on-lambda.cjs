'use strict';
// Stands in for express, raw-body, @slack/socket-mode and @slack/oauth in Lambda bundles. Bolt's
// index requires its Express, HTTP and Socket Mode receivers, which require these packages at load
// but only use them when such a receiver (or an OAuth installer) is constructed; AwsLambdaReceiver
// with a bot token never does. Any real use fails loudly.
function unbundledOnLambda() {
  throw new Error(
    'express, raw-body, @slack/socket-mode and @slack/oauth are not bundled for Lambda; use AwsLambdaReceiver with a bot token',
  );
}
module.exports = unbundledOnLambda;
module.exports.Router = unbundledOnLambda;
module.exports.SocketModeClient = unbundledOnLambda;
module.exports.InstallProvider = unbundledOnLambda;
