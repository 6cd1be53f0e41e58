export declare const SPEC_DIR: string;
export declare function extractJsonBlocks(markdown: string): Array<{ name: string | null; text: string; line: number }>;
export declare function readFixture(name: string): {
  title: string;
  messages: Array<{ from: 'client' | 'server'; message: unknown }>;
};
export declare function formatJson(value: unknown, indent?: string, width?: number): string;
export declare function formatMessages(messages: unknown[], width?: number): string;
