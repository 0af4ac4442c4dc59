/** placeholder */
import type { EaiData } from './data.ts';
export function eaiPrompts(_data: EaiData): Array<{ identifier: string; llm_prompt: string }> { return []; }
