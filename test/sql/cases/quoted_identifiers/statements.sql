CREATE STREAM `Input` (`Id` INT KEY, `camelCase` STRING, `with space` INT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');
CREATE STREAM `Output` AS SELECT `Id`, `camelCase` AS `Renamed`, `with space` FROM `Input`;
