/**
 * How `kstream sql` shows what the server answers, in the ksqlDB CLI's layout: statement results
 * and listings as ` a | b ` tables between dashed rules, query rows in `|a |b |` boxes.
 */
type Entity = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'null' : '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A listing table: header row, rule, rows, rule. */
export function listing(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => ` ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} `.trimEnd();
  const rule = '-'.repeat(widths.reduce((a, w) => a + w + 3, 0) - 1);
  return [line(headers), rule, ...cells.map(line), rule].join('\n') + '\n';
}

function schemaText(s: { type?: string; memberSchema?: unknown; fields?: unknown } | undefined): string {
  if (s === undefined) return '';
  if (s.type === 'ARRAY') return `ARRAY<${schemaText(s.memberSchema as never)}>`;
  if (s.type === 'MAP') return `MAP<STRING, ${schemaText(s.memberSchema as never)}>`;
  if (s.type === 'STRUCT') return `STRUCT<${((s.fields as { name: string; schema: never }[]) ?? []).map((f) => `${f.name} ${schemaText(f.schema)}`).join(', ')}>`;
  return s.type === 'STRING' ? 'VARCHAR(STRING)' : String(s.type);
}

function fieldRows(fields: unknown): string[][] {
  return ((fields as { name: string; schema: never; type?: string }[]) ?? []).map((f) => [f.name, `${schemaText(f.schema)}${f.type === 'KEY' ? '  (primary key)' : ''}`]);
}

function describeSource(d: Entity): string {
  const out = [`\nName                 : ${d['name']}`];
  if (d['extended'] === true) {
    out.push(`Type                 : ${d['type']}`, `Key format           : ${d['keyFormat']}`, `Value format         : ${d['valueFormat']}`, `Kafka topic          : ${d['topic']} (partitions: ${d['partitions']}, replication: ${d['replication']})`, `Statement            : ${d['statement']}`);
  }
  out.push(listing(['Field', 'Type'], fieldRows(d['fields'])).trimEnd());
  const queries = (k: string) => ((d[k] as Entity[]) ?? []).map((q) => `${q['id']} (${q['state']}) : ${q['queryString']}`);
  if (d['extended'] === true) {
    out.push('', 'Queries that read from this ' + String(d['type']), ...queries('readQueries'), '', 'Queries that write from this ' + String(d['type']), ...queries('writeQueries'));
  } else {
    out.push('For runtime statistics and query details run: DESCRIBE <Stream,Table> EXTENDED;');
  }
  return out.join('\n') + '\n';
}

/** One entity of a `/ksql` answer as the CLI prints it. */
export function renderEntity(e: Entity): string {
  switch (e['@type']) {
    case 'currentStatus':
      return listing(['Message'], [[(e['commandStatus'] as Entity)?.['message'] ?? '']]);
    case 'streams':
    case 'tables': {
      const items = (e[e['@type'] as string] as Entity[]) ?? [];
      const title = e['@type'] === 'streams' ? 'Stream Name' : 'Table Name';
      return listing([title, 'Kafka Topic', 'Key Format', 'Value Format', 'Windowed'], items.map((s) => [s['name'], s['topic'], s['keyFormat'], s['valueFormat'], s['isWindowed']]));
    }
    case 'queries':
      return listing(
        ['Query ID', 'Query Type', 'Status', 'Sink Name', 'Sink Kafka Topic', 'Query String'],
        ((e['queries'] as Entity[]) ?? []).map((q) => [q['id'], q['queryType'], q['state'], (q['sinks'] as string[]).join(','), (q['sinkKafkaTopics'] as string[]).join(','), q['queryString']]),
      ) + 'For detailed information on a Query run: EXPLAIN <Query ID>;\n';
    case 'kafka_topics':
      return listing(['Kafka Topic', 'Partitions', 'Partition Replicas'], ((e['topics'] as Entity[]) ?? []).map((t) => [t['name'], (t['replicaInfo'] as number[]).length, (t['replicaInfo'] as number[])[0] ?? 0]));
    case 'properties':
      return listing(['Property', 'Scope', 'Value'], ((e['properties'] as Entity[]) ?? []).map((p) => [p['name'], p['scope'], p['value']]));
    case 'variables':
      return listing(['Variable Name', 'Value'], ((e['variables'] as Entity[]) ?? []).map((v) => [v['name'], v['value']]));
    case 'sourceDescription':
      return describeSource(e['sourceDescription'] as Entity);
    case 'source_descriptions':
      return ((e['sourceDescriptions'] as Entity[]) ?? []).map(describeSource).join('\n');
    case 'queryDescription': {
      const q = e['queryDescription'] as Entity;
      return [
        `\nID                   : ${q['id']}`,
        `Query Type           : ${q['queryType']}`,
        `SQL                  : ${q['statementText']}`,
        `Status               : ${q['state']}`,
        '',
        listing(['Field', 'Type'], fieldRows(q['fields'])).trimEnd(),
        '',
        `Sources that this query reads from: ${(q['sources'] as string[]).join(', ')}`,
        `Sinks that this query writes to: ${(q['sinks'] as string[]).join(', ')}`,
        '',
        'Execution plan',
        '--------------',
        String(q['executionPlan']).trimEnd(),
        '',
        'Processing topology',
        '-------------------',
        String(q['topology']).trimEnd(),
        '',
      ].join('\n');
    }
    case 'type_list':
      return listing(['Type Name', 'Schema'], Object.keys((e['types'] as Entity) ?? {}).map((n) => [n, '']));
    default:
      return `${JSON.stringify(e, null, 2)}\n`;
  }
}

/** Query output: the header box, then rows one by one, each cell as wide as its column's box. */
export class RowPrinter {
  private readonly widths: number[];

  constructor(columns: readonly string[], terminalWidth = 120) {
    const per = Math.max(8, Math.floor((terminalWidth - 1) / Math.max(1, columns.length)) - 1);
    this.widths = columns.map((c) => Math.max(c.length, Math.min(per, 20)));
  }

  private rule(): string {
    return `+${this.widths.map((w) => '-'.repeat(w)).join('+')}+`;
  }

  private line(cells: readonly string[]): string {
    return `|${cells.map((c, i) => c.padEnd(this.widths[i]!)).join('|')}|`;
  }

  header(columns: readonly string[]): string {
    return `${this.rule()}\n${this.line(columns)}\n${this.rule()}\n`;
  }

  /** A row; DOUBLE columns keep their decimal point (18.0, not 18), as ksqlDB prints them. */
  row(values: readonly unknown[], types: readonly string[] = []): string {
    return `${this.line(values.map((v, i) => (types[i] === 'DOUBLE' && typeof v === 'number' && Number.isInteger(v) ? v.toFixed(1) : cell(v))))}\n`;
  }

  footer(): string {
    return `${this.rule()}\n`;
  }
}
