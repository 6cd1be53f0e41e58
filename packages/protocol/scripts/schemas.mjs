/**
 * The JSON Schema files published in spec/schema/, one per wire shape. Shared by the generator
 * script (which reads the built package) and the drift test (which reads the sources).
 */
export const SCHEMA_BASE_URI = 'https://scomp.dev/schema/0.1/';

/** `[file name, export name, title]` for every generated schema. */
export const SCHEMA_FILES = [
  ['jsonrpc-message.json', 'JsonRpcMessage', 'Any scomp JSON-RPC 2.0 message'],
  ['jsonrpc-request.json', 'JsonRpcRequest', 'JSON-RPC request'],
  ['jsonrpc-notification.json', 'JsonRpcNotification', 'JSON-RPC notification'],
  ['jsonrpc-success.json', 'JsonRpcSuccess', 'JSON-RPC success response'],
  ['jsonrpc-error.json', 'JsonRpcError', 'JSON-RPC error response'],
  ['error-object.json', 'ErrorObject', 'JSON-RPC error object'],
  ['handshake-params.json', 'HandshakeParams', 'handshake request params'],
  ['handshake-result.json', 'HandshakeResult', 'handshake result'],
  ['eval-params.json', 'EvalParams', 'eval request params'],
  ['eval-result.json', 'EvalResult', 'eval result'],
  ['invoke-params.json', 'InvokeParams', 'invoke params (by name or by ref)'],
  ['invoke-result.json', 'InvokeResult', 'invoke result'],
  ['release-params.json', 'ReleaseParams', 'release notification params'],
  ['cancel-params.json', 'CancelParams', 'cancel notification params'],
  ['binding-meta.json', 'BindingMeta', 'Binding metadata'],
  ['function-ref.json', 'FunctionRef', 'Function reference sentinel'],
  ['invalid-params-data.json', 'InvalidParamsData', 'data of InvalidParams errors'],
  ['eval-error-data.json', 'EvalErrorData', 'data of EvalError errors'],
  ['limit-exceeded-data.json', 'LimitExceededData', 'data of LimitExceeded errors'],
  ['unsupported-version-data.json', 'UnsupportedVersionData', 'data of UnsupportedVersion errors'],
];

/**
 * The file contents for every schema, built from a module that exports the TypeBox schemas
 * (the package's dist or its sources). Returns `[file name, text]` pairs.
 */
export function renderSchemas(protocol) {
  return SCHEMA_FILES.map(([file, exportName, title]) => {
    const schema = protocol[exportName];
    if (schema === undefined) throw new Error(`@scomp/protocol does not export ${exportName}`);
    const document = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${SCHEMA_BASE_URI}${file}`,
      title,
      ...JSON.parse(JSON.stringify(schema)),
    };
    return [file, `${JSON.stringify(document, null, 2)}\n`];
  });
}
