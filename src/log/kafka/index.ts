export { KafkaLog, type KafkaLogOptions } from './kafka-log.js';
export { kafkajsConfig, kafkaTuning, parseBrokers, KafkaConfigError, type KafkaTuning } from './client-config.js';
export { taskAssigner, assignTasks, tasksOf, TASK_ASSIGNER_NAME } from './task-assigner.js';
