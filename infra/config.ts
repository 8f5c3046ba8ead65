/**
 * The deployment's configuration: every choice the CDK app makes, with its default, in one
 * place. The defaults live here only; context overrides them (a JSON object under the key
 * `beacon-edge`, or `-c beacon-edge:<key>=…`), checked by `infra/resolve-config.ts`. Nothing here
 * is a secret.
 */

import type { WireFormat } from '../edge/config.js';
import { CMCD_PATH } from '../schemas/cmcd.js';

/** Which time-series store the regional stacks create and the consumer writes. */
export type StoreKind = 'influxdb' | 'timestream';

/** Which core reads the regional stream: our consumer Lambda, or the AWS demo's Flink job. */
export type CoreKind = 'lambda' | 'flink';

/** What the edge writes to Kinesis: our record (one per request) or the Flink job's flat JSON. */
export type { WireFormat };

/** CloudFront's price classes: which edge locations serve the distribution. */
export type PriceClassName = 'PriceClass_All' | 'PriceClass_200' | 'PriceClass_100';

/** The whole deployment. */
export interface DeployConfig {
  /** Prefix of every physical name (streams, buckets, functions). */
  appName: string;
  /** Regions with a regional stack; the edge writes to the nearest. */
  regions: string[];
  /** Region of the bad-rows stream, the Grafana workspace and the shared alarms topic. */
  homeRegion: string;
  store: StoreKind;
  core: CoreKind;
  /** Derived from `core` unless set: `timestream-flink` when core is flink. */
  wireFormat: WireFormat;
  /** Ingest paths (POST) routed to the edge functions. */
  ingestPaths: string[];
  /** Path (POST) of CMCD event reports, routed through the same behaviour as the ingest paths. */
  cmcdPath: string;
  /** CORS allow-list seeded into the KeyValueStore (`*` allows any origin). */
  allowedOrigins: string[];
  /**
   * Rollout rules (edge/rollout.ts format, `-` for none) seeded into the KeyValueStore and
   * compiled into the viewer function as its fallback. `beacons rollout set` changes the store
   * afterwards; these are the state of a new deployment.
   */
  rollout: { schemas: string; sdks: string };
  /**
   * The CloudFront distribution: its price class, and an optional own domain with its ACM
   * certificate (in us-east-1; both or neither). Only with a certificate of its own can the
   * distribution refuse TLS below 1.2: the default *.cloudfront.net certificate accepts TLSv1.
   */
  cdn: { priceClass: PriceClassName; domainName: string; certificateArn: string };
  /** AWS WAF web ACL with a rate-based rule in front of the distribution. */
  waf: { enabled: boolean; requestsPer5MinPerIp: number };
  /** Amazon Managed Grafana workspace in the home region. */
  grafana: { enabled: boolean };
  /** Email subscribed to the alarms topic; none when empty. */
  alarmEmail: string;
  /** Timestream for InfluxDB instance settings. */
  influxdb: {
    instanceType: string;
    allocatedStorageGiB: number;
    bucket: string;
    organization: string;
    /** A standby in a second AZ (`WITH_MULTIAZ_STANDBY`): automatic failover, twice the instance cost. */
    multiAz: boolean;
    /**
     * The SDK names the consumer keeps as the `sdk_name` tag (others are tagged `other`); empty:
     * every name of package-name shape, so a client inventing names mints series.
     */
    sdkNames: string[];
  };
  /** Timestream for LiveAnalytics retention (the AWS demo's defaults: 1 h memory, 1 day magnetic). */
  timestream: { memoryRetentionHours: number; magneticRetentionDays: number };
  /**
   * The Flink job (core `flink`): its jar, built by the user from amazon-timestream-tools with
   * Maven, the Managed Service for Apache Flink runtime it was built for (`FLINK-1_20`, …) and
   * the job's parallelism (KPUs grow with it).
   */
  flink: { jarBucketName: string; jarKey: string; runtime: string; parallelism: number };
  /** Days the raw archive and bad rows are kept in S3. */
  archiveRetentionDays: number;
}

/** Defaults: the deployment `npm run synth` produces with no context. */
export const DEFAULT_DEPLOY_CONFIG: DeployConfig = {
  appName: 'beacon-edge',
  regions: ['us-east-1', 'eu-central-1', 'ap-southeast-1'],
  homeRegion: 'us-east-1',
  store: 'influxdb',
  core: 'lambda',
  wireFormat: 'beacon-record',
  ingestPaths: ['/v1/events'],
  cmcdPath: CMCD_PATH,
  allowedOrigins: ['*'],
  rollout: { schemas: '-', sdks: '-' },
  cdn: { priceClass: 'PriceClass_All', domainName: '', certificateArn: '' },
  waf: { enabled: true, requestsPer5MinPerIp: 2000 },
  grafana: { enabled: true },
  alarmEmail: '',
  influxdb: {
    instanceType: 'db.influx.medium',
    allocatedStorageGiB: 20,
    bucket: 'beacons',
    organization: 'beacon-edge',
    multiAz: false,
    sdkNames: [],
  },
  timestream: { memoryRetentionHours: 1, magneticRetentionDays: 1 },
  flink: { jarBucketName: '', jarKey: '', runtime: 'FLINK-1_20', parallelism: 1 },
  archiveRetentionDays: 90,
};
