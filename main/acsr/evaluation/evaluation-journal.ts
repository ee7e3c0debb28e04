/**
 * What makes `acsr eval` resumable: every finished unit of work (one batch of images under one
 * attack, through every defense) is appended as one JSON line and fsynced before the next starts.
 * A killed run loses at most the unit in flight; a line cut short by the kill is ignored. The first
 * line is the evaluation's configuration: a run resumed into the same folder must be the same
 * evaluation, or its numbers would mix two experiments.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { AttackRecord } from '../attacks/attack-types.ts';

export const JOURNAL_FILE = 'journal.jsonl';

/** One defended image: what the classifier said after the defense. */
export interface DefendedPrediction {
  readonly defense: string;
  readonly predicted: number;
  /** the cluster a semantic defense selected (ACSR) */
  readonly clusterId?: string;
  readonly seconds: number;
}

export interface SampleOutcome {
  readonly sample: number;
  readonly label: number;
  /** absent for the clean row */
  readonly attack?: AttackRecord;
  readonly defended: DefendedPrediction[];
}

export interface JournalUnit {
  /** e.g. 'clean/b0', 'fgsm:0.04/b3', 'bpda:acsr/b1' */
  readonly unit: string;
  /** 'clean', an attack name, or 'bpda:<defense>' */
  readonly row: string;
  readonly attackSeconds: number;
  /** wall-clock seconds of the whole unit (attack, defenses, classifier); absent in older journals */
  readonly seconds?: number;
  readonly outcomes: SampleOutcome[];
}

export class EvaluationJournal {
  readonly path: string;
  readonly #done = new Map<string, JournalUnit>();

  private constructor(path: string) {
    this.path = path;
  }

  /** Opens the journal in `path`, creating it with `configuration` or checking that it matches. */
  static open(path: string, configuration: unknown): EvaluationJournal {
    const journal = new EvaluationJournal(path);
    if (!existsSync(path)) {
      journal.#append({ configuration });
      return journal;
    }
    const text = readFileSync(path, 'utf8');
    // A kill mid-write leaves a partial last line: end it, so the next record starts on its own line.
    if (text.length > 0 && !text.endsWith('\n')) journal.#appendRaw('\n');
    const lines = text.split('\n');
    const header = parseLine(lines[0]) as { configuration?: unknown } | null;
    if (!header || !('configuration' in header)) throw new UserInputError(`${path}: not an evaluation journal`);
    if (!isDeepStrictEqual(header.configuration, JSON.parse(JSON.stringify(configuration)))) {
      throw new UserInputError(`${path} belongs to a different evaluation (model, bundle, data, attacks, defenses or seed differ); use another --out folder`);
    }
    for (const line of lines.slice(1)) {
      const unit = parseLine(line) as JournalUnit | null;
      if (unit && typeof unit.unit === 'string') journal.#done.set(unit.unit, unit);
    }
    return journal;
  }

  has(unit: string): boolean {
    return this.#done.has(unit);
  }

  record(unit: JournalUnit): void {
    this.#append(unit);
    this.#done.set(unit.unit, unit);
  }

  units(): JournalUnit[] {
    return [...this.#done.values()];
  }

  #append(value: unknown): void {
    this.#appendRaw(`${JSON.stringify(value)}\n`);
  }

  #appendRaw(text: string): void {
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function parseLine(line: string | undefined): unknown {
  if (!line || line.trim() === '') return null;
  try {
    return JSON.parse(line);
  } catch {
    return null; // the line a kill cut short
  }
}
