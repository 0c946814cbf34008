/** ksqlDB formats (JSON, DELIMITED, KAFKA, NONE) as row serdes, plus windowed key serdes. */
export { keySerde, valueSerde, type ColumnSpec, type Row } from './formats.js';
export { windowedSerde, type Windowed, type Window } from './windowed.js';
export { parseJson, stringifyJson, JsonNumber, type JsonValue } from './jsonText.js';
export { readJsonValue, writeJsonValue } from './jsonValues.js';
