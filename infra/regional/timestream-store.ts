/**
 * The Timestream for LiveAnalytics store (accounts that still have the service): one database and
 * two tables, events and bad rows, with the deployment's memory and magnetic retention. Magnetic
 * store writes stay off: the consumer writes within seconds of the edge, and a record older than
 * the memory store's retention is rejected and becomes a bad row instead of landing late.
 * Timestream always encrypts at rest with KMS; the database uses the AWS managed key
 * (`alias/aws/timestream`): a customer key would cost a monthly fee and a key policy to keep, for
 * no reader but the consumer.
 */
import { Validations } from 'aws-cdk-lib';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';
import type { DeployConfig } from '../config.js';
import { acknowledgeNag } from './acknowledge.js';
import { DATA_REMOVAL_POLICY, names } from './defaults.js';

/** Props of {@link TimestreamStore}. */
export interface TimestreamStoreProps {
  databaseName: string;
  retention: DeployConfig['timestream'];
  /**
   * Accept records older than the memory store's retention (into the magnetic store). Off for the
   * consumer, which writes within seconds; on for the Flink job, which may run hours behind after a
   * restart and drops what the table rejects.
   */
  magneticStoreWrites?: boolean;
}

/** The database and its three tables (events, bad rows, rollout refusals). */
export class TimestreamStore extends Construct {
  readonly database: timestream.CfnDatabase;
  readonly eventsTable: timestream.CfnTable;
  readonly badRowsTable: timestream.CfnTable;
  readonly refusalsTable: timestream.CfnTable;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: TimestreamStoreProps) {
    super(scope, id);
    this.databaseName = props.databaseName;
    this.database = new timestream.CfnDatabase(this, 'Database', {
      databaseName: props.databaseName,
    });
    this.database.applyRemovalPolicy(DATA_REMOVAL_POLICY);
    acknowledgeNag(
      this.database,
      'AwsSolutions-TS3',
      'Encrypted at rest with the AWS managed key; a customer key adds a fee and a key policy for no reader but the consumer.',
    );
    const table = (tid: string, tableName: string) => {
      const t = new timestream.CfnTable(this, tid, {
        databaseName: props.databaseName,
        tableName,
        retentionProperties: {
          MemoryStoreRetentionPeriodInHours: String(props.retention.memoryRetentionHours),
          MagneticStoreRetentionPeriodInDays: String(props.retention.magneticRetentionDays),
        },
        magneticStoreWriteProperties: {
          EnableMagneticStoreWrites: props.magneticStoreWrites ?? false,
        },
      });
      t.addDependency(this.database);
      t.applyRemovalPolicy(DATA_REMOVAL_POLICY);
      return t;
    };
    // CloudFormation's linter flags LiveAnalytics as in maintenance mode: this store is the option
    // for accounts that still have it, chosen by `store: 'timestream'`.
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W3697',
      reason: 'Timestream for LiveAnalytics is the opt-in store for accounts that still have it.',
    });
    this.eventsTable = table('Events', names.timestreamEventsTable);
    this.badRowsTable = table('BadRows', names.timestreamBadRowsTable);
    this.refusalsTable = table('RolloutRefusals', names.timestreamRefusalsTable);
  }
}
