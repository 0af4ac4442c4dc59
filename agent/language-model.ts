/**
 * One interface for every language model the agent can use: the local TensorFlow.js
 * transformer, an OpenAI-compatible HTTP server, a GGUF file through node-llama-cpp.
 */
export interface GenerateOptions {
  /** Maximum new tokens per prompt. */
  maxTokens: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  topP?: number;
  /** Sampling seed; same seed, same output. */
  seed?: number;
  /** Generation stops before the first occurrence of any of these strings. */
  stop?: string[];
  /** Constrained decoding: the output must be one of these strings. */
  allowed?: string[];
}

export interface LanguageModel {
  /** Model name as reported in logs (`local:<checkpoint>`, `openai:<model>`, ...). */
  readonly name: string;
  /** Compute backend (`wasm`, `cpu`, `tensorflow`, `http`, `llama.cpp`). */
  readonly backend: string;
  /** Generate one completion per prompt; implementations batch where they can. */
  generate(prompts: string[], options: GenerateOptions): Promise<string[]>;
  /**
   * Sum of log-probabilities of each continuation given its prompt (where the backend
   * gives them). `(N,)` for N prompt/continuation pairs.
   */
  logProbs?(prompts: string[], continuations: string[]): Promise<number[]>;
  dispose?(): Promise<void>;
}
