/**
 * What `kstream explain <file.sql>` prints: what each persistent query of a SQL file compiles to — its sink and
 * schema, the logical plan, and the Kafka Streams-style description of its topology (as ksqlDB's
 * EXPLAIN shows it). `--combined` prints the one topology `kstream run` executes for the file.
 */
import { readFileSync } from 'node:fs';
import { formatSchema } from '../sql/analyzer/schema.js';
import { SqlSession } from '../sql/session.js';
import { describePlan, type PersistentQueryPlan } from '../sql/analyzer/logical-plan.js';
import { planScript } from '../sql/planner/script.js';
import { buildQueryTopology, buildScriptTopology } from '../sql/planner/topology.js';
import { UserError } from './errors.js';
import { sqlApplicationId } from './sql-loader.js';

function formatOf(f: { format: string; delimiter?: string; wrapSingleValue?: boolean }): string {
  return f.format + (f.delimiter !== undefined ? `(delimiter '${f.delimiter}')` : '') + (f.wrapSingleValue === false ? ' unwrapped' : '');
}

export function explainQuery(plan: PersistentQueryPlan): string {
  const sink = plan.sink;
  const lines = [
    `Query ${plan.queryId}`,
    `  ${plan.sql.trim()}`,
    `  Sink: ${sink.name} (${sink.type}) topic '${sink.topic}', key ${formatOf(sink.keyFormat)}, value ${formatOf(sink.valueFormat)}` +
      (sink.window ? `, windowed ${sink.window.type}${sink.window.sizeMs !== undefined ? ` ${sink.window.sizeMs} ms` : ''}` : ''),
    `  Schema: ${formatSchema(sink.schema)}`,
    `  Sources: ${plan.sources.map((s) => `${s.name} (${s.type}, topic '${s.topic}')`).join(', ')}`,
    '',
    'Logical plan:',
    describePlan(plan.root, '  ').trimEnd(),
    '',
    'Topology:',
    buildQueryTopology(plan).describe().toString().trimEnd(),
  ];
  return `${lines.join('\n')}\n`;
}

export function runExplain(file: string, options: { combined?: boolean }): void {
  {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UserError(`cannot read SQL file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const script = planScript(new SqlSession().execute(text, file));
      if (script.queries.length === 0) {
        process.stdout.write('No persistent queries (CREATE ... AS SELECT, INSERT INTO ... SELECT) in this file.\n');
        return;
      }
      if (options.combined) {
        process.stdout.write(`Application '${sqlApplicationId(file)}' (kstream run): ${script.queries.map((q) => q.queryId).join(', ')}\n`);
        process.stdout.write(buildScriptTopology(script.queries).describe().toString());
        return;
      }
      process.stdout.write(script.queries.map(explainQuery).join('\n'));
  }
}
