// What every benchmark part gets: options, the embedded stack, the corpus and its server, a progress logger.
import type { CorpusPage } from './corpus';
import type { CorpusServer } from './corpus-server';
import type { BenchInfra } from './infra';

export const PARTS = ['corpus', 'throughput', 'enqueue', 'monitoring', 'soak'] as const;
export type Part = (typeof PARTS)[number];

/** Corpora the throughput part measures: today's pages, light documentation pages, the realistic pages over many sites. */
export const CORPUS_MODES = ['realistic', 'light', 'multi-site'] as const;
export type CorpusMode = (typeof CORPUS_MODES)[number];

/** Distinct sites (loopback addresses besides 127.0.0.1) the multi-site corpus is served from. */
export const MULTI_SITE_COUNT = 20;

/** One corpus as measured: its pages (for the correctness check) and the URLs scanned, in order. */
export interface BenchCorpus {
  mode: CorpusMode;
  pages: CorpusPage[];
  urls: string[];
}

export interface BenchOptions {
  only: Part[];
  quick: boolean;
  /** Corpus size. */
  pages: number;
  seed: number;
  /** Pages per throughput configuration (a prefix of the corpus, whole corpus by default). */
  throughputPages: number;
  /** Corpora the throughput part runs over. */
  corpora: CorpusMode[];
  /** Platform scans per configuration whose workflow histories are read for the Temporal side of the breakdown. */
  historySample: number;
  concurrency: number[];
  /** Bulk size for "time to accept". */
  enqueueBulk: number;
  /** Single POSTs and concurrent clients for the submit latency. */
  enqueueRequests: number;
  enqueueClients: number;
  /** Backlogs compared for "no degradation", and scans timed at each. */
  backlogs: [number, number];
  backlogWindow: number;
  /** Sub-windows the timed scans are split into, for the spread of the rate. */
  backlogSubWindows: number;
  historyScans: number;
  /** Seconds of load per monitoring endpoint. */
  monitoringSeconds: number;
  monitoringConnections: number;
  soakScans: number;
  transientScans: number;
  transientShare: number;
  sampleEveryMs: number;
  outDir: string;
}

export interface BenchContext {
  opts: BenchOptions;
  infra: BenchInfra;
  /** The realistic corpus (served from 127.0.0.1), what the parts other than throughput use. */
  corpus: CorpusPage[];
  /** The corpora the throughput part measures, in `opts.corpora` order. */
  corpora: BenchCorpus[];
  server: CorpusServer;
  log(line: string): void;
}
