/**
 * What the API serves from: the agent core and a few host facts. The API
 * never reaches the runtime layer directly; everything goes through here.
 */
import type { Agent } from '../supervisor/agent.js';
import type { ImageService } from '../supervisor/image-service.js';

/** Host and agent facts for `GET /v1/info` (and `berth info`, the dashboard header). */
export interface AgentInfo {
  version: string;
  hostname: string;
  pid: number;
  startedAt: number;
  root: string;
  unitsDir?: string;
  /** one line per isolation: what it uses or why it is unavailable */
  isolations: Record<string, { ok: boolean; detail: string }>;
  cgroup: string;
  kernel: string;
  listen: string[];
}

export interface ApiContext {
  agent: Agent;
  /** builds, commits and the image store (absent: the image routes answer 501) */
  images?: ImageService;
  info(): Promise<AgentInfo>;
  /** where a folder uploaded over TCP is unpacked before it is applied */
  uploadDir(hash: string): string;
  /** logs a line to the agent's own log (auth failures, …) */
  log(line: string): void;
}
