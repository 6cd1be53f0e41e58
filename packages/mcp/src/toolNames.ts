const invalid = /[^A-Za-z0-9_$]/g;

/**
 * The binding name segment for an MCP tool name: characters a JavaScript identifier cannot hold
 * become `_`, and a leading digit gets a `_` before it (`get-sum` → `get_sum`, `2fa` → `_2fa`).
 */
export function toolSegment(tool: string): string {
  const replaced = tool.replace(invalid, '_');
  return /^[0-9]/.test(replaced) || replaced === '' ? `_${replaced}` : replaced;
}

/** The namespace itself must be a valid dotted binding name. */
export function checkNamespace(namespace: string): void {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/.test(namespace)) {
    throw new TypeError(`namespace "${namespace}" is not a binding name (letters, digits, _ and $, dotted; not starting with a digit)`);
  }
}
