/**
 * The statements of `kstream sql`, as the ksqlDB CLI runs them: SET/UNSET and DEFINE/UNDEFINE are
 * kept for the session here and sent with every request; `${name}` is substituted; RUN SCRIPT
 * reads a file and runs its statements; SELECT goes to `/query-stream` (a push query prints rows
 * until its LIMIT or until stopped: Ctrl-C); everything else goes to `/ksql`. Errors are printed
 * as the server words them; `runText` stops at the first one.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseAdminStatement } from '../server/admin-statements.js';
import { splitStatements, substituteVariables } from '../server/statement-text.js';
import { listing, renderEntity, RowPrinter } from './sql-render.js';
import type { KsqlClient } from './sql-client.js';

const MAX_SCRIPT_DEPTH = 16;

export interface ShellOutput {
  out(text: string): void;
  err(text: string): void;
}

function unquote(raw: string): string {
  return raw.trim().replace(/^'|'$/g, '').replace(/''/g, "'");
}

export class SqlShell {
  readonly properties: Record<string, string> = {};
  readonly variables = new Map<string, string>();
  private running: AbortController | null = null;

  constructor(
    private readonly client: KsqlClient,
    private readonly output: ShellOutput,
    private readonly terminalWidth = 120,
  ) {}

  /** Stops the query being printed; false when none is running. */
  interrupt(): boolean {
    if (this.running === null) return false;
    this.running.abort();
    return true;
  }

  /**
   * Runs every complete statement of `text`; returns what is left (a statement without its `;`
   * yet) and whether all succeeded. `baseDir` resolves RUN SCRIPT paths.
   */
  async runText(text: string, baseDir: string, depth = 0): Promise<{ ok: boolean; rest: string }> {
    const { statements, rest } = splitStatements(text);
    for (const st of statements) {
      try {
        await this.run(st.text, baseDir, depth);
      } catch (e) {
        // The server counts lines in the statement; the user in the text they typed or the file.
        const message = (e as Error).message.replace(/^line (\d+):(\d+):/, (_, l: string, c: string) => `line ${st.line + Number(l) - 1}:${Number(l) === 1 ? st.column + Number(c) - 1 : Number(c)}:`);
        this.output.err(`${message}\n`);
        return { ok: false, rest: '' };
      }
    }
    return { ok: true, rest };
  }

  private async run(raw: string, baseDir: string, depth: number): Promise<void> {
    const text = substituteVariables(raw, this.variables);
    const admin = parseAdminStatement(text);
    if (admin?.kind === 'define') {
      this.variables.set(admin.name, admin.value);
      return;
    }
    if (admin?.kind === 'undefine') {
      this.variables.delete(admin.name);
      return;
    }
    if (admin?.kind === 'list' && admin.what === 'VARIABLES') {
      this.output.out(listing(['Variable Name', 'Value'], [...this.variables]));
      return;
    }
    if (admin?.kind === 'runScript') {
      if (depth >= MAX_SCRIPT_DEPTH) throw new Error(`RUN SCRIPT nested more than ${MAX_SCRIPT_DEPTH} deep`);
      const file = resolve(baseDir, admin.file);
      let script: string;
      try {
        script = readFileSync(file, 'utf8');
      } catch (e) {
        throw new Error(`RUN SCRIPT: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const result = await this.runText(script, dirname(file), depth + 1);
      if (!result.ok) throw new Error(`RUN SCRIPT '${admin.file}' stopped at the error above`);
      if (result.rest !== '') throw new Error(`RUN SCRIPT '${admin.file}': the last statement has no ';'`);
      return;
    }
    const set = /^SET\s+('(?:[^']|'')*')\s*=\s*('(?:[^']|'')*')\s*;$/i.exec(text.trim());
    if (set !== null) {
      const name = unquote(set[1]!);
      const old = this.properties[name];
      this.properties[name] = unquote(set[2]!);
      this.output.out(`Successfully changed local property '${name}'${old === undefined ? '' : ` from '${old}'`} to '${this.properties[name]}'.\n`);
      return;
    }
    const unset = /^UNSET\s+('(?:[^']|'')*')\s*;$/i.exec(text.trim());
    if (unset !== null) {
      const name = unquote(unset[1]!);
      delete this.properties[name];
      this.output.out(`Successfully unset local property '${name}'.\n`);
      return;
    }
    if (/^\s*SELECT\b/i.test(text)) return this.query(text);
    const entities = await this.client.ksql(text, this.properties, Object.fromEntries(this.variables));
    for (const e of entities) this.output.out(renderEntity(e));
  }

  private async query(sql: string): Promise<void> {
    const push = /\bEMIT\s+(CHANGES|FINAL)\b/i.test(sql);
    const controller = new AbortController();
    this.running = controller;
    let printer: RowPrinter | null = null;
    let types: string[] = [];
    let rows = 0;
    try {
      await this.client.query(
        sql,
        this.properties,
        (h) => {
          printer = new RowPrinter(h.columnNames, this.terminalWidth);
          types = h.columnTypes ?? [];
          this.output.out(printer.header(h.columnNames));
        },
        (row) => {
          rows++;
          this.output.out(printer!.row(row, types));
        },
        controller.signal,
      );
    } finally {
      this.running = null;
    }
    if (printer !== null) this.output.out((printer as RowPrinter).footer());
    const limit = /\bLIMIT\s+(\d+)\s*;?\s*$/i.exec(sql);
    if (push) this.output.out(controller.signal.aborted ? 'Query terminated\n' : limit !== null && rows >= Number(limit[1]) ? 'Limit Reached\nQuery terminated\n' : 'Query terminated\n');
  }
}
