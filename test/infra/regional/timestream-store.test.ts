import { beforeAll, describe, expect, it } from 'vitest';
import type { TimestreamStore } from '../../../infra/regional/timestream-store.js';
import {
  REGIONAL_CASES,
  SYNTH_TIMEOUT_MS,
  type SynthesizedRegion,
  synthRegional,
} from '../../helpers/regional-stack.js';

describe.each(REGIONAL_CASES.filter((c) => c.store === 'timestream'))(
  'TimestreamStore ($core, $region)',
  (c) => {
    let s: SynthesizedRegion;
    let store: TimestreamStore;
    beforeAll(() => {
      s = synthRegional(c, {
        overrides: { timestream: { memoryRetentionHours: 6, magneticRetentionDays: 30 } },
      });
      store = s.stack.timestream as TimestreamStore;
    }, SYNTH_TIMEOUT_MS);

    it('has one database under the AWS managed key, retained with the data', () => {
      expect(s.resource(store.database)).toStrictEqual({
        Type: 'AWS::Timestream::Database',
        Properties: { DatabaseName: 'beacon-edge' },
        UpdateReplacePolicy: 'Retain',
        DeletionPolicy: 'Retain',
      });
    });

    it('has the events, bad_rows and rollout_refusals tables with the configured retention; magnetic writes only for the Flink job', () => {
      for (const [table, name] of [
        [store.eventsTable, 'events'],
        [store.badRowsTable, 'bad_rows'],
        [store.refusalsTable, 'rollout_refusals'],
      ] as const) {
        expect(s.resource(table)).toStrictEqual({
          Type: 'AWS::Timestream::Table',
          Properties: {
            DatabaseName: 'beacon-edge',
            TableName: name,
            RetentionProperties: {
              MemoryStoreRetentionPeriodInHours: '6',
              MagneticStoreRetentionPeriodInDays: '30',
            },
            MagneticStoreWriteProperties: { EnableMagneticStoreWrites: c.core === 'flink' },
          },
          DependsOn: [s.id(store.database)],
          UpdateReplacePolicy: 'Retain',
          DeletionPolicy: 'Retain',
        });
      }
    });
  },
);
