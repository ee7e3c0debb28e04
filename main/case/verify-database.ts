/**
 * The database file beneath the records: SQLite's own integrity check (a corrupted index or page
 * that ordinary reads may never touch), and the schema compared text for text with what the
 * migrations create, so that a dropped, re-created or replaced trigger, an added trigger or a
 * changed table shows even when every name is still there.
 */
import Database from 'better-sqlite3';
import { expectedSchema } from './migrations.ts';
import type { DatabaseFile } from './stores/database-file.ts';
import type { VerificationProblem } from './verification-problem.ts';

/** SQLite's answer to a damaged file, as opposed to a failure of this program. */
export function isDatabaseDamage(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB|IOERR|FORMAT|RANGE)/.test(code);
}

/** Any error SQLite raised (as opposed to one of this program's own). */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && error.name === 'SqliteError';
}

/** A read that SQLite refused: damage, or a schema that is not the program's (named by checkSchema too). */
export function unreadableProblem(error: Error, while_: string): VerificationProblem {
  if (isDatabaseDamage(error)) return damageProblem(error, while_);
  return {
    kind: 'schema',
    where: 'case.sqlite',
    reason: `reading ${while_} failed with "${error.message}": the database's structure is not the one this program creates`,
  };
}

export function damageProblem(error: Error, while_: string): VerificationProblem {
  return {
    kind: 'database-integrity',
    where: 'case.sqlite',
    reason: `the database file is damaged: reading ${while_} failed with "${error.message}"; the records cannot be trusted or fully checked (restore case.sqlite from a copy)`,
  };
}

export function checkDatabaseIntegrity(file: DatabaseFile): VerificationProblem[] {
  let lines: string[];
  try {
    lines = file.integrityCheck();
  } catch (error) {
    if (isDatabaseDamage(error)) return [damageProblem(error, 'the file for its integrity check')];
    throw error;
  }
  if (lines.length === 1 && lines[0] === 'ok') return [];
  return lines.map((line) => ({ kind: 'database-integrity', where: 'case.sqlite', reason: `SQLite's integrity check fails: ${line}` }));
}

/** Triggers that guard append-only tables are named as such; other differences as schema changes. */
export function checkSchema(file: DatabaseFile): VerificationProblem[] {
  // What the migrations create, built in a scratch database of its own.
  const expected = expectedSchema((path) => new Database(path));
  const actual = new Map(file.schemaObjects().map((row) => [row.name, row]));
  const problems: VerificationProblem[] = [];
  for (const [name, want] of expected) {
    const have = actual.get(name);
    const guard = /^(\w+)_no_(update|delete)$/.exec(name);
    if (!have) {
      problems.push(
        guard
          ? { kind: 'append-only-guard', where: `table ${guard[1]}`, reason: `trigger ${name} was removed: rows of ${guard[1]} may have been changed` }
          : { kind: 'schema', where: `${want.type} ${name}`, reason: `the ${want.type} is missing from the database` },
      );
    } else if (have.type !== want.type || have.sql !== want.sql) {
      problems.push(
        guard
          ? {
              kind: 'append-only-guard',
              where: `table ${guard[1]}`,
              reason: `trigger ${name} is not the one the program creates (its SQL text was replaced): it may no longer stop ${guard[2]}s; its text is now ${JSON.stringify(have.sql)}`,
            }
          : { kind: 'schema', where: `${want.type} ${name}`, reason: `its definition differs from the program's: ${JSON.stringify(have.sql)}` },
      );
    }
  }
  for (const [name, have] of actual) {
    if (!expected.has(name))
      problems.push({
        kind: 'schema',
        where: `${have.type} ${name}`,
        reason: `the program never creates this ${have.type}: it was added to the database by other means (${JSON.stringify(have.sql)})`,
      });
  }
  return problems;
}
