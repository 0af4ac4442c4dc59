/**
 * The episode-log records as the viewer reads them: the very types env/episode-log.ts writes
 * (env/schema/episode-log.schema.json), imported as types only, so the browser bundle takes
 * no code from env/ and a change of the log format is a type error here, not a silent drift.
 */
import type { LogEnd, LogHeader, LogStep, LogUtterance } from '../../env/episode-log.ts';
import type { GraphDiff, GraphJSON, GraphNodeJSON } from '../../env/graph.ts';

export type { LogEnd, LogHeader, LogStep, LogUtterance };
export type SceneNode = GraphNodeJSON;
export type SceneJSON = GraphJSON;
export type Diff = GraphDiff;

export interface EpisodeLog {
  header: LogHeader;
  steps: LogStep[];
  end?: LogEnd;
}
