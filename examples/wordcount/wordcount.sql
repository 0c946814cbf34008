-- Kafka Streams' WordCountDemo as SQL: count the words of each line of text.
-- Run it: kstream run examples/wordcount/wordcount.sql --until-idle
-- It reads lines from streams-plaintext-input and writes the running count of each word to the
-- topic streams-wordcount-sql-output (key: the word as a string; value: the count as an 8-byte
-- long), like the TS topology's streams-wordcount-output.

-- The input: one line of text per record, no key.
CREATE STREAM LINES (LINE STRING) WITH (KAFKA_TOPIC='streams-plaintext-input', VALUE_FORMAT='KAFKA', PARTITIONS=1);

-- One record per word (EXPLODE turns the array of words into rows). Like the TS topology's
-- split(/\W+/), any run of non-word characters separates words. JSON values: ksqlDB does not
-- group a source whose values are in the KAFKA format.
CREATE STREAM WORDS WITH (KAFKA_TOPIC='streams-wordcount-sql-words', VALUE_FORMAT='JSON') AS
  SELECT EXPLODE(SPLIT(REGEXP_REPLACE(LCASE(LINE), '\W+', ' '), ' ')) AS WORD FROM LINES;

-- The count of each word: a table keyed by the word, updated with every occurrence.
CREATE TABLE WORD_COUNTS WITH (KAFKA_TOPIC='streams-wordcount-sql-output', KEY_FORMAT='KAFKA', VALUE_FORMAT='KAFKA') AS
  SELECT WORD, COUNT(*) AS COUNT FROM WORDS WHERE WORD <> '' GROUP BY WORD;
