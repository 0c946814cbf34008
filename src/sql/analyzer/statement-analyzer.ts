/**
 * Statement-level semantic analysis: CREATE STREAM/TABLE, CREATE ... AS SELECT, INSERT INTO,
 * INSERT VALUES, DROP, SET/UNSET. Statements are analyzed in order against a MetaStore that each
 * DDL statement updates, as ksqlDB executes a script. Every rejection is a positioned SqlError.
 */
import { fail, SqlError, type SourcePos } from '../errors.js';
import { compileExpression, QueryContext } from '../expr/compile.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { Property, Statement, StatementOf, TableElement } from '../parser/ast.js';
import type { PersistentQueryPlan, SinkInfo } from './logical-plan.js';
import { formatType, type SqlType } from '../types/sql-type.js';
import { ExprAnalyzer } from './expr-analyzer.js';
import { isRegistryFormat, type DataSource, type FormatInfo, type FormatName, type MetaStore } from './metastore.js';
import type { SchemaRegistryConfig } from '../../serde/registry/client.js';
import { inferColumns } from '../formats/infer.js';
import { schemaIdColumnsMismatch } from './schema-id-columns.js';
import { chooseFormats, formatInfo, intProp, parseProperties, stringProp, windowInfo, type ParsedProperties } from './properties.js';
import { analyzeQuery, type AnalyzedQuery } from './query-analyzer.js';
import { formatSchema, quoteName, RESERVED_COLUMN_NAMES, ROWTIME, type Column, type LogicalSchema } from './schema.js';
import { RowScope } from './scope.js';
import { isConstant } from '../expr/typed-expr.js';
import { resolveType } from './type-resolver.js';
import { validateFormats } from './format-rules.js';

export type AnalyzedStatement =
  | { readonly kind: 'createSource'; readonly statement: Statement; readonly source: DataSource; readonly replaced: boolean }
  | { readonly kind: 'query'; readonly statement: Statement; readonly plan: PersistentQueryPlan; readonly sink: DataSource }
  | {
      readonly kind: 'insertValues';
      readonly statement: Statement;
      readonly target: DataSource;
      /** Key column values in key-column order. */
      readonly key: readonly unknown[];
      /** Value column values in value-column order. */
      readonly value: readonly unknown[];
      /** ROWTIME if given, else undefined (use the current time). */
      readonly timestamp?: number;
    }
  | { readonly kind: 'drop'; readonly statement: Statement; readonly source: DataSource | undefined; readonly deleteTopic: boolean }
  | { readonly kind: 'set'; readonly statement: Statement; readonly name: string; readonly value: string }
  | { readonly kind: 'unset'; readonly statement: Statement; readonly name: string }
  | { readonly kind: 'noop'; readonly statement: Statement; readonly reason: string };

export interface AnalyzerConfig {
  /** The schema registry of AVRO, PROTOBUF and JSON_SR topics (`ksql.schema.registry.url` also sets it). */
  readonly schemaRegistry?: SchemaRegistryConfig;
  /** ksql.persistence.default.format.key (default KAFKA). */
  readonly defaultKeyFormat?: FormatName;
  /** ksql.persistence.default.format.value (default: none, VALUE_FORMAT required). */
  readonly defaultValueFormat?: FormatName;
}

/** Analyzes statements in order, keeping the catalog and the session properties. */
export class StatementAnalyzer {
  private queryCounter = 0;
  readonly properties = new Map<string, string>();
  /** Which persistent queries read from / write to which sources (for DROP checks). */
  private readonly queries = new Map<string, { sink: string; sources: string[] }>();

  constructor(
    readonly metastore: MetaStore,
    readonly registry: FunctionRegistry,
    private readonly config: AnalyzerConfig = {},
  ) {}

  /** TERMINATE: the query no longer reads or writes its sources (a server's query life cycle). */
  terminate(queryId: string): boolean {
    return this.queries.delete(queryId);
  }

  analyze(statement: Statement): AnalyzedStatement {
    switch (statement.kind) {
      case 'CreateSource':
        return this.createSource(statement);
      case 'CreateAsSelect':
        return this.createAsSelect(statement);
      case 'InsertInto':
        return this.insertInto(statement);
      case 'InsertValues':
        return this.insertValues(statement);
      case 'DropSource':
        return this.drop(statement);
      case 'CreateType':
        return this.createType(statement);
      case 'DropType':
        return this.dropType(statement);
      case 'SetProperty':
        this.properties.set(statement.name, statement.value);
        return { kind: 'set', statement, name: statement.name, value: statement.value };
      case 'UnsetProperty':
        this.properties.delete(statement.name);
        return { kind: 'unset', statement, name: statement.name };
      case 'SelectQuery':
        return fail('Transient (push/pull) queries are not supported here: use CREATE STREAM/TABLE AS SELECT or INSERT INTO.', statement.pos);
    }
  }

  // ------------------------------------------------------------ CREATE STREAM/TABLE

  private createSource(s: StatementOf<'CreateSource'>): AnalyzedStatement {
    const kind = s.sourceType;
    const props = parseProperties(s.properties);
    const existing = this.metastore.get(s.name);
    if (existing && !s.orReplace) {
      if (s.ifNotExists) return { kind: 'noop', statement: s, reason: `${s.name} already exists` };
      fail(`Cannot add ${kind.toLowerCase()} '${s.name}': A ${existing.type.toLowerCase()} with the same name already exists`, s.namePos);
    }
    // The WITH clause is validated first (as ksqlDB does when it prepares the statement).
    const topic = stringProp(props, 'KAFKA_TOPIC');
    if (topic === undefined) fail('Missing required property "KAFKA_TOPIC" which has no default value.', s.pos);
    const formats = this.sourceFormats(props, s.pos, s.name);
    const infers = (f: FormatInfo) => isRegistryFormat(f.format) && f.format !== 'PROTOBUF_NOSR';
    const declared = this.schemaFromElements(s.elements ?? [], kind, s.namePos, infers(formats.valueFormat), infers(formats.keyFormat));
    if (formats.keyFormat.schemaId !== undefined && declared.key.length > 0) fail('Table elements and KEY_SCHEMA_ID cannot both exist for create statement.', s.pos);
    if (formats.valueFormat.schemaId !== undefined && declared.value.length > 0) fail('Table elements and VALUE_SCHEMA_ID cannot both exist for create statement.', s.pos);
    const { schema, keyFormat, valueFormat: declaredValueFormat } = this.inferColumns(declared, formats, topic!, kind, s);
    if (schema.key.length === 0 && schema.value.length === 0) fail('The statement does not define any columns.', s.namePos);
    if (kind === 'TABLE' && schema.key.length === 0) fail('Tables require a PRIMARY KEY. Please define the PRIMARY KEY.', s.namePos);
    const valueFormat = this.singleValueWrapping(declaredValueFormat, props, schema.value.length, s.pos);
    validateFormats(schema, keyFormat, valueFormat, s.pos);
    const window = windowInfo(props);
    if (window && schema.key.length === 0) fail('Windowed sources require a key column.', s.pos);
    const timestampColumn = this.timestampColumn(props, schema);
    const partitions = intProp(props, 'PARTITIONS');
    const replicas = intProp(props, 'REPLICAS');
    const source: DataSource = {
      name: s.name,
      type: kind,
      topic,
      schema,
      keyFormat,
      valueFormat,
      ...(window ? { window } : {}),
      ...(timestampColumn ? { timestampColumn } : {}),
      ...(partitions !== undefined ? { partitions } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
      readOnly: s.readOnly,
      isSink: false,
      sqlText: s.text,
    };
    this.metastore.put(source);
    return { kind: 'createSource', statement: s, source, replaced: existing !== undefined };
  }

  private createType(s: StatementOf<'CreateType'>): AnalyzedStatement {
    const name = s.name.toUpperCase();
    const existing = this.metastore.types.get(name);
    const type = resolveType(s.type, this.metastore.types);
    if (existing) {
      if (s.ifNotExists) return { kind: 'noop', statement: s, reason: `type ${name} already exists` };
      fail(`Cannot register custom type '${name}' since it is already registered with type: ${formatType(existing)}`, s.namePos);
    }
    this.metastore.types.set(name, type);
    return { kind: 'noop', statement: s, reason: `registered type ${name}` };
  }

  private dropType(s: StatementOf<'DropType'>): AnalyzedStatement {
    const name = s.name.toUpperCase();
    if (!this.metastore.types.delete(name) && !s.ifExists) fail(`Type ${name} does not exist.`, s.namePos);
    return { kind: 'noop', statement: s, reason: `dropped type ${name}` };
  }

  /**
   * Columns the statement leaves out, from the schema registry (ksqlDB's schema inference): the value columns
   * when none are declared and the value format has a registry, the key columns likewise (optional for streams).
   */
  private inferColumns(
    declared: LogicalSchema,
    formats: { keyFormat: FormatInfo; valueFormat: FormatInfo },
    topic: string,
    kind: 'STREAM' | 'TABLE',
    s: StatementOf<'CreateSource'>,
  ): { schema: LogicalSchema; keyFormat: FormatInfo; valueFormat: FormatInfo } {
    let { key, value } = declared;
    let { keyFormat, valueFormat } = formats;
    const canInfer = (f: FormatInfo): boolean => isRegistryFormat(f.format) && f.format !== 'PROTOBUF_NOSR';
    const infer = (f: FormatInfo, isKey: boolean, optional: boolean) => {
      try {
        return inferColumns(f, topic, isKey, optional);
      } catch (e) {
        return fail((e as Error).message, s.pos);
      }
    };
    if (value.length === 0 && canInfer(valueFormat)) {
      const inferred = infer(valueFormat, false, false)!;
      value = inferred.columns.map((c) => ({ name: c.name, type: c.type, role: 'VALUE' as const }));
      if (inferred.columns.length === 1 && inferred.columns[0]!.name === 'ROWVAL' && valueFormat.wrapSingleValue === undefined) valueFormat = { ...valueFormat, wrapSingleValue: false };
    }
    if (key.length === 0 && canInfer(keyFormat)) {
      const inferred = infer(keyFormat, true, kind === 'STREAM');
      if (inferred) key = inferred.columns.map((c) => ({ name: c.name, type: c.type, role: 'KEY' as const }));
    }
    const names = new Set<string>();
    for (const c of [...key, ...value]) {
      if (names.has(c.name)) fail(`Duplicate column names: ${quoteName(c.name)}`, s.pos);
      names.add(c.name);
    }
    return { schema: { key, value }, keyFormat, valueFormat };
  }

  /** Adds the schema registry's settings to registry formats; fails when none is configured. */
  private withRegistry(f: FormatInfo, topic: string, pos: SourcePos): FormatInfo {
    if (!isRegistryFormat(f.format) || f.format === 'PROTOBUF_NOSR') return f;
    const url = this.properties.get('ksql.schema.registry.url') ?? this.properties.get('schema.registry.url');
    const registry = url ? { ...this.config.schemaRegistry, url } : this.config.schemaRegistry;
    if (!registry) fail(`Cannot create topic '${topic}' with format ${f.format} without configuring 'ksql.schema.registry.url'`, pos);
    return { ...f, registry };
  }

  private schemaFromElements(elements: readonly TableElement[], kind: 'STREAM' | 'TABLE', namePos?: SourcePos, inferValues = false, inferKey = false): LogicalSchema {
    const seen = new Set<string>();
    const key: Column[] = [];
    const value: Column[] = [];
    for (const e of elements) {
      if (RESERVED_COLUMN_NAMES.has(e.name.toUpperCase())) fail(`'${e.name}' is a reserved column name. You cannot use it as a name for a column.`, e.pos);
      if (seen.has(e.name)) fail(`Duplicate column names: ${quoteName(e.name)}`, e.pos);
      seen.add(e.name);
      const type = resolveType(e.type, this.metastore.types);
      if (e.constraint === 'PRIMARY KEY' && kind === 'STREAM') {
        fail(
          `Column ${quoteName(e.name)} is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`,
          e.pos,
        );
      }
      if (e.constraint === 'KEY' && kind === 'TABLE') {
        fail(
          `Column ${quoteName(e.name)} is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.`,
          e.pos,
        );
      }
      (e.constraint === 'NONE' ? value : key).push({ name: e.name, type, role: e.constraint === 'NONE' ? 'VALUE' : 'KEY' });
    }
    if (elements.length === 0 && !inferValues && namePos) fail('The statement does not define any columns.', namePos);
    if (kind === 'TABLE' && key.length === 0 && !inferValues && !inferKey) fail('Tables require a PRIMARY KEY. Please define the PRIMARY KEY.', elements[0]?.pos ?? namePos!);
    return { key, value };
  }

  private sourceFormats(props: ParsedProperties, pos: SourcePos, name: string): { keyFormat: FormatInfo; valueFormat: FormatInfo } {
    const chosen = chooseFormats(props);
    const valueName = chosen.value ?? this.config.defaultValueFormat;
    if (!valueName) {
      fail(
        "Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.",
        pos,
      );
    }
    const keyName = chosen.key ?? this.config.defaultKeyFormat ?? 'KAFKA';
    const topic = stringProp(props, 'KAFKA_TOPIC') ?? name;
    return { keyFormat: this.withRegistry(formatInfo(keyName, props, true), topic, pos), valueFormat: this.withRegistry(formatInfo(valueName!, props, false), topic, pos) };
  }

  /**
   * WRAP_SINGLE_VALUE applies to single-field values only; without it, a JSON single value is
   * wrapped unless the session sets ksql.persistence.wrap.single.values to false.
   */
  private singleValueWrapping(f: FormatInfo, props: ParsedProperties, valueColumns: number, pos: SourcePos): FormatInfo {
    if (f.wrapSingleValue !== undefined) {
      if (valueColumns !== 1) fail(`'WRAP_SINGLE_VALUE' is only valid for single-field value schemas`, props.pos('WRAP_SINGLE_VALUE') ?? pos);
      return f;
    }
    const configured = this.properties.get('ksql.persistence.wrap.single.values')?.toLowerCase();
    if (f.format === 'JSON' && valueColumns === 1 && configured === 'false') return { ...f, wrapSingleValue: false };
    return f;
  }

  private timestampColumn(props: ParsedProperties, schema: LogicalSchema): DataSource['timestampColumn'] {
    const column = stringProp(props, 'TIMESTAMP');
    const format = stringProp(props, 'TIMESTAMP_FORMAT');
    if (column === undefined) {
      if (format !== undefined) fail("'TIMESTAMP_FORMAT' is only valid when 'TIMESTAMP' is set.", props.pos('TIMESTAMP_FORMAT'));
      return undefined;
    }
    const name = column.startsWith('`') && column.endsWith('`') ? column.slice(1, -1) : column.toUpperCase();
    const col = [...schema.key, ...schema.value].find((c) => c.name === name);
    if (!col) fail(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${name}'`, props.pos('TIMESTAMP'));
    const ok = format !== undefined ? col.type.base === 'STRING' : col.type.base === 'BIGINT' || col.type.base === 'TIMESTAMP';
    if (!ok) {
      fail(
        format !== undefined
          ? `Timestamp column, ${quoteName(name)}, should be STRING when 'TIMESTAMP_FORMAT' is set, but is ${formatType(col.type)}`
          : `Timestamp column, ${quoteName(name)}, should be LONG(INT64), TIMESTAMP, or a String with a TIMESTAMP_FORMAT specified.`,
        props.pos('TIMESTAMP'),
      );
    }
    return { column: name, ...(format !== undefined ? { format } : {}) };
  }

  // ------------------------------------------------------------ CREATE ... AS SELECT / INSERT INTO

  private createAsSelect(s: StatementOf<'CreateAsSelect'>): AnalyzedStatement {
    const existing = this.metastore.get(s.name);
    if (existing && !s.orReplace) {
      if (s.ifNotExists) return { kind: 'noop', statement: s, reason: `${s.name} already exists` };
      fail(`Cannot add ${s.sourceType.toLowerCase()} '${s.name}': A ${existing.type.toLowerCase()} with the same name already exists`, s.namePos);
    }
    const props = parseProperties(s.properties);
    const ctx = new QueryContext(undefined, new Map(this.properties));
    const statementName = s.sourceType === 'TABLE' ? 'CREATE TABLE AS SELECT' : 'CREATE STREAM AS SELECT';
    const q = analyzeQuery(s.query, { registry: this.registry, metastore: this.metastore, ctx, sinkName: s.name, statement: statementName });
    if (q.resultType !== s.sourceType) {
      const produced = q.resultType;
      fail(
        `Invalid result type. Your SELECT query produces a ${produced}. Please use CREATE ${produced} AS SELECT statement instead.`,
        s.query.pos,
      );
    }
    const sink = this.sinkFor(s.name, s.sourceType, props, q, s.query.pos);
    const kind = s.sourceType === 'TABLE' ? 'CTAS' : 'CSAS';
    const queryId = `${kind}_${s.name}_${this.queryCounter++}`;
    const plan: PersistentQueryPlan = { queryId, kind, sql: s.text, sources: q.sources, root: q.root, sink, emit: q.emit, context: ctx };
    const source: DataSource = {
      name: s.name,
      type: s.sourceType,
      topic: sink.topic,
      schema: sink.schema,
      keyFormat: sink.keyFormat,
      valueFormat: sink.valueFormat,
      ...(sink.window ? { window: sink.window } : {}),
      ...(sink.timestampColumn ? { timestampColumn: { column: sink.timestampColumn.name, ...(sink.timestampColumn.format ? { format: sink.timestampColumn.format } : {}) } } : {}),
      ...(sink.partitions !== undefined ? { partitions: sink.partitions } : {}),
      readOnly: false,
      isSink: true,
      sqlText: s.text,
    };
    this.metastore.put(source);
    this.queries.set(queryId, { sink: s.name, sources: q.sources.map((x) => x.name) });
    return { kind: 'query', statement: s, plan, sink: source };
  }

  private insertInto(s: StatementOf<'InsertInto'>): AnalyzedStatement {
    const target = this.metastore.get(s.target);
    if (!target) fail(`${s.target} does not exist.`, s.targetPos);
    if (target.type !== 'STREAM') fail(`INSERT INTO can only be used to insert into a stream. ${target.name} is a table.`, s.targetPos);
    if (target.readOnly) fail(`Cannot insert into read-only stream: ${target.name}`, s.targetPos);
    const ctx = new QueryContext(undefined, new Map(this.properties));
    const q = analyzeQuery(s.query, { registry: this.registry, metastore: this.metastore, ctx, sinkName: s.target, statement: 'INSERT INTO' });
    if (q.resultType !== 'STREAM') fail(`INSERT INTO can only be used to insert into a stream. The query produces a ${q.resultType}.`, s.query.pos);
    const resultSchema: LogicalSchema = {
      key: q.key.map((c) => ({ name: c.name, type: c.type, role: 'KEY' as const })),
      value: q.value.map((c) => ({ name: c.name, type: c.type, role: 'VALUE' as const })),
    };
    if (formatSchema(resultSchema) !== formatSchema(target.schema)) {
      fail(`Incompatible schema between results and sink.\nResult schema is ${formatSchema(resultSchema)}\nSink schema is ${formatSchema(target.schema)}`, s.query.pos);
    }
    if (target.sqlText && q.sources.some((x) => x.name === target.name)) {
      fail(`Cannot insert into ${target.name} because it is also a source of the query.`, s.targetPos);
    }
    const sink: SinkInfo = {
      name: target.name,
      type: 'STREAM',
      topic: target.topic,
      schema: target.schema,
      keyFormat: target.keyFormat,
      valueFormat: target.valueFormat,
      ...(target.window ? { window: target.window } : {}),
      ...(target.partitions !== undefined ? { partitions: target.partitions } : {}),
      existing: true,
    };
    const queryId = `INSERTQUERY_${this.queryCounter++}`;
    this.queries.set(queryId, { sink: target.name, sources: q.sources.map((x) => x.name) });
    const plan: PersistentQueryPlan = { queryId, kind: 'INSERT', sql: s.text, sources: q.sources, root: q.root, sink, emit: q.emit, context: ctx };
    return { kind: 'query', statement: s, plan, sink: target };
  }

  private sinkFor(name: string, type: 'STREAM' | 'TABLE', props: ParsedProperties, q: AnalyzedQuery, pos: SourcePos): SinkInfo {
    const schema: LogicalSchema = {
      key: q.key.map((c) => ({ name: c.name, type: c.type, role: 'KEY' as const })),
      value: q.value.map((c) => ({ name: c.name, type: c.type, role: 'VALUE' as const })),
    };
    const chosen = chooseFormats(props);
    const src = q.leftSource;
    let keyFormat: FormatInfo;
    if (q.partitionByNull) {
      if (chosen.key && chosen.key !== 'NONE') fail('Key format specified for stream without key columns.', props.pos('KEY_FORMAT') ?? props.pos('FORMAT') ?? pos);
      keyFormat = { format: 'NONE' };
    } else if (chosen.key) {
      keyFormat = formatInfo(chosen.key, props, true);
    } else {
      keyFormat = inheritKeyFormat(q, src.keyFormat, schema.key.map((c) => c.type), this.config.defaultKeyFormat ?? 'KAFKA');
    }
    const declaredValueFormat = chosen.value
      ? formatInfo(chosen.value, props, false)
      : formatInfo(src.valueFormat.format, props, false).delimiter === undefined && src.valueFormat.delimiter !== undefined
        ? { ...formatInfo(src.valueFormat.format, props, false), delimiter: src.valueFormat.delimiter }
        : formatInfo(src.valueFormat.format, props, false);
    const sinkTopic = stringProp(props, 'KAFKA_TOPIC') ?? (this.properties.get('ksql.output.topic.name.prefix') ?? '') + name;
    keyFormat = this.withRegistry(keyFormat, sinkTopic, pos);
    const valueFormat = this.withRegistry(this.singleValueWrapping(declaredValueFormat, props, schema.value.length, pos), sinkTopic, pos);
    validateFormats(schema, keyFormat, valueFormat, pos);
    for (const [format, isKey] of [[keyFormat, true], [valueFormat, false]] as const) {
      let mismatch: string | undefined;
      try {
        mismatch = schemaIdColumnsMismatch(format, sinkTopic, isKey, isKey ? schema.key : schema.value);
      } catch (e) {
        fail((e as Error).message, pos);
      }
      if (mismatch) fail(mismatch, pos);
    }
    const timestamp = stringProp(props, 'TIMESTAMP');
    let timestampColumn: SinkInfo['timestampColumn'];
    if (timestamp !== undefined) {
      const colName = timestamp.toUpperCase();
      const col = [...schema.key, ...schema.value].find((c) => c.name === colName);
      if (!col) fail(`The TIMESTAMP column set in the WITH clause does not exist in the schema: '${colName}'`, props.pos('TIMESTAMP'));
      const format = stringProp(props, 'TIMESTAMP_FORMAT');
      timestampColumn = { name: colName, ...(format !== undefined ? { format } : {}) };
    }
    if (stringProp(props, 'WINDOW_TYPE') !== undefined) fail("'WINDOW_TYPE' can not be set for CREATE ... AS SELECT statements.", props.pos('WINDOW_TYPE'));
    const partitions = intProp(props, 'PARTITIONS');
    const replicas = intProp(props, 'REPLICAS');
    return {
      name,
      type,
      topic: sinkTopic,
      schema,
      keyFormat,
      valueFormat,
      ...(q.window ? { window: q.window } : {}),
      ...(partitions !== undefined ? { partitions } : {}),
      ...(replicas !== undefined ? { replicas } : {}),
      ...(timestampColumn ? { timestampColumn } : {}),
      existing: false,
    };
  }

  // ------------------------------------------------------------ INSERT VALUES

  private insertValues(s: StatementOf<'InsertValues'>): AnalyzedStatement {
    const target = this.metastore.get(s.target);
    if (!target) fail(`${s.target} does not exist.`, s.targetPos);
    if (target.readOnly) fail(`Cannot insert values into read-only ${target.type.toLowerCase()}: ${target.name}`, s.targetPos);
    if (target.window) fail(`Inserting into windowed sources is not supported: ${target.name}`, s.targetPos);
    const all = [...target.schema.key, ...target.schema.value];
    const columns = s.columns ?? all.map((c) => ({ name: c.name, pos: s.targetPos }));
    if (columns.length !== s.values.length) {
      fail(
        `Expected a value for each column. Expected Columns: [${columns.map((c) => c.name).join(', ')}]. Got [${s.values.map((v) => v.kind === 'StringLiteral' ? v.value : '...').join(', ')}]`,
        s.pos,
      );
    }
    const analyzer = new ExprAnalyzer({ registry: this.registry, scope: new RowScope({ columns: [] }), clause: 'VALUES' });
    const byName = new Map<string, unknown>();
    let timestamp: number | undefined;
    columns.forEach((c, i) => {
      const ast = s.values[i]!;
      const e = analyzer.analyze(ast);
      if (!isConstant(e)) fail(`Only constant expressions are allowed in VALUES: ${e.sql}`, ast.pos);
      if (c.name === ROWTIME) {
        const v = compileExpression(analyzer.convert(e, { base: 'BIGINT' }), new QueryContext()).evaluate([]);
        timestamp = v === null ? undefined : Number(v as bigint);
        return;
      }
      const col = all.find((x) => x.name === c.name);
      if (!col) fail(`Column name ${c.name} does not exist.`, c.pos);
      if (byName.has(c.name)) fail(`Duplicate column name: ${c.name}`, c.pos);
      const converted = convertValue(analyzer, e, col.type, ast.pos);
      byName.set(c.name, converted);
    });
    const key = target.schema.key.map((c) => (byName.has(c.name) ? byName.get(c.name) : null));
    const value = target.schema.value.map((c) => (byName.has(c.name) ? byName.get(c.name) : null));
    if (target.type === 'TABLE' && key.some((k) => k === null)) {
      fail(`Failed to insert values into '${target.name}'. Value for primary key column(s) ${target.schema.key.map((k) => k.name).join(', ')} is required for tables`, s.pos);
    }
    return { kind: 'insertValues', statement: s, target, key, value, ...(timestamp !== undefined ? { timestamp } : {}) };
  }

  // ------------------------------------------------------------ DROP

  private drop(s: StatementOf<'DropSource'>): AnalyzedStatement {
    const source = this.metastore.get(s.name);
    if (!source) {
      if (s.ifExists) return { kind: 'drop', statement: s, source: undefined, deleteTopic: s.deleteTopic };
      fail(`Source ${s.name} does not exist.`, s.namePos);
    }
    if (source.type !== s.sourceType) fail(`Incompatible data source type is ${source.type}, but statement was DROP ${s.sourceType}`, s.namePos);
    const readers = [...this.queries.entries()].filter(([, q]) => q.sources.includes(s.name) && q.sink !== s.name);
    if (readers.length) {
      fail(
        `Cannot drop ${s.name}.\nThe following streams and/or tables read from this source: [${[...new Set(readers.map(([, q]) => q.sink))].join(', ')}].\nYou need to drop them before dropping ${s.name}.`,
        s.namePos,
      );
    }
    for (const [id, q] of this.queries) if (q.sink === s.name) this.queries.delete(id);
    this.metastore.delete(s.name);
    return { kind: 'drop', statement: s, source, deleteTopic: s.deleteTopic };
  }
}

function convertValue(analyzer: ExprAnalyzer, e: ReturnType<ExprAnalyzer['analyze']>, type: SqlType, pos: SourcePos): unknown {
  try {
    return compileExpression(analyzer.convert(e, type, pos), new QueryContext()).evaluate([]);
  } catch (err) {
    if (err instanceof SqlError) {
      fail(`Expected type ${formatType(type)} for column but got ${e.sql} (${e.type ? formatType(e.type) : 'NULL'})`, pos);
    }
    throw err;
  }
}

/**
 * ksqlDB's sink key format when the statement gives none (Analyzer / LogicalPlanner
 * getSinkKeyFormat): the left-most source's; if that is NONE and the result has key columns, the
 * default key format. A format that cannot carry the key is an error, not a silent switch.
 */
function inheritKeyFormat(_q: AnalyzedQuery, source: FormatInfo, keyTypes: readonly SqlType[], defaultKey: FormatName): FormatInfo {
  if (source.format === 'NONE' && keyTypes.length > 0) return { format: defaultKey };
  // a sink registers its own key schema: the source's schema id and name are not inherited
  const { schemaId: _id, schemaFullName: _name, ...inherited } = source;
  return inherited;
}

export function kafkaSupports(t: SqlType): boolean {
  return t.base === 'INTEGER' || t.base === 'BIGINT' || t.base === 'DOUBLE' || t.base === 'STRING' || t.base === 'BYTES';
}

export function delimitedSupports(t: SqlType): boolean {
  return t.base !== 'ARRAY' && t.base !== 'MAP' && t.base !== 'STRUCT';
}

export type { Property };
