/**
 * The episode-log records as the viewer reads them (env/schema/episode-log.schema.json).
 * Declared here rather than imported from env/ because the viewer is a browser app that reads
 * only episode files; test/viewer checks that these parse what env/episode-log.ts writes.
 */

export type Triple = [number, string, number];

export interface SceneNode {
  id: number;
  class_name: string;
  category?: string;
  properties?: string[];
  states?: string[];
  prefab_name?: string;
  bounding_box?: { center: [number, number, number]; size: [number, number, number] };
}

export interface SceneEdge { from_id: number; relation_type: string; to_id: number }

export interface SceneJSON { nodes: SceneNode[]; edges: SceneEdge[] }

export interface Diff {
  edgesAdded: Triple[];
  edgesRemoved: Triple[];
  /** node id → [states before, states after] */
  statesChanged: Record<string, [string[], string[]]>;
}

export interface Goal { satisfied: number; total: number }

export interface LogHeader {
  type: 'header';
  version: 1;
  createdAt?: string;
  sceneHash: string;
  actionSchemaHash: string;
  seed: number;
  compat?: string;
  task?: { id?: string; title?: string; description?: string };
  agent?: Record<string, unknown>;
  scene: SceneJSON;
}

export interface Speculative {
  proposed?: string;
  predictedFeedback?: string;
  correction?: string | null;
  correctionFeedback?: string | null;
  used?: boolean;
}

export interface LogStep {
  type: 'step';
  t: number;
  action: string;
  script?: string | null;
  ok: boolean;
  failure: { code: string; action: string; args: (number | string)[]; predicate: string; message: string } | null;
  diff: Diff;
  goal: Goal;
  observation?: string;
  character?: { room?: number | null; close?: number[]; holds?: number[] };
  speculative?: Speculative;
  /** Interactive episodes: the dialogue round of this step. */
  round?: number;
}

/** Interactive episodes: what the simulated user and the agent said (between the steps of a round). */
export interface LogUtterance {
  type: 'utterance';
  round: number;
  speaker: 'user' | 'agent';
  kind: string;
  text: string;
}

export interface LogEnd {
  type: 'end';
  steps: number;
  success: boolean;
  terminated: boolean;
  truncated: boolean;
  goal?: Goal;
}

export interface EpisodeLog {
  header: LogHeader;
  steps: LogStep[];
  end?: LogEnd;
}
