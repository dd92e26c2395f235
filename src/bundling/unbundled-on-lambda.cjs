'use strict';
// Stands in for express, raw-body and @slack/socket-mode in Lambda bundles. Bolt's index requires
// its Express and Socket Mode receivers, which require these packages at load but only use them
// when such a receiver is constructed; AwsLambdaReceiver never does. Any real use fails loudly.
function unbundledOnLambda() {
  throw new Error(
    'express, raw-body and @slack/socket-mode are not bundled for Lambda; use AwsLambdaReceiver',
  );
}
module.exports = unbundledOnLambda;
module.exports.Router = unbundledOnLambda;
module.exports.SocketModeClient = unbundledOnLambda;
