export declare const SCHEMA_BASE_URI: string;
export declare const SCHEMA_FILES: ReadonlyArray<readonly [file: string, exportName: string, title: string]>;
export declare function renderSchemas(protocol: Record<string, unknown>): Array<[file: string, text: string]>;
