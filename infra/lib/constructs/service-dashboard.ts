import { Dashboard, LogQueryVisualizationType, LogQueryWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { Names } from '../naming';

/** Options of {@link ServiceDashboard}. */
export interface ServiceDashboardOptions {
  /** The service's log groups the widgets query. */
  readonly logGroupNames: string[];
}

/** The seed's Logs Insights queries, as dashboard widgets (lead time, errors, invocations, cost). */
export const DASHBOARD_QUERIES = {
  leadTime: [
    'fields @timestamp, @message',
    '| filter milestone="CREATE_REQUEST_RECEIVED" or milestone="SLACK_NOTIFICATION_NEW_SESSION_SENT"',
    '| stats (latest(@timestamp) - earliest(@timestamp))/1000 as LeadTimeInSeconds by traceId',
    '| filter LeadTimeInSeconds!=0',
    '| sort LeadTimeInSeconds desc',
    '| limit 20',
  ],
  errors: [
    'fields @timestamp, exception.name, exception.message, traceId, functionName',
    '| filter ispresent(exception)',
    '| sort @timestamp desc',
    '| limit 20',
  ],
  invocations: [
    'filter @type="REPORT"',
    '| fields @memorySize/1000000 as MemorySetInMB, @billedDuration/1000*MemorySetInMB/1024 as BilledDurationInGBSeconds',
    '| stats count(@billedDuration) as NumberOfInvocations, ceil(avg(@duration)) as AverageExecutionTime,',
    '  max(@duration) as MaxExecutionTime, sum(BilledDurationInGBSeconds) * 0.00001667 as TotalCostInDollar by @log',
  ],
  cost: [
    'filter @type = "REPORT"',
    '| fields @memorySize/1000000 as MemorySetInMB, @billedDuration/1000*MemorySetInMB/1024 as BilledDurationInGBSeconds, @logStream',
    '| stats sum(BilledDurationInGBSeconds) as TotalBilledDurationInGBSeconds, sum(BilledDurationInGBSeconds) * 0.00001667 as TotalCostInDollar',
  ],
} as const;

/** The `conference-session` CloudWatch dashboard. */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, options: ServiceDashboardOptions) {
    super(scope, id);
    const widget = (title: string, lines: readonly string[], view = LogQueryVisualizationType.TABLE) =>
      new LogQueryWidget({
        title,
        logGroupNames: options.logGroupNames,
        queryString: lines.join('\n'),
        view,
        width: 12,
        height: 6,
      });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: Names.dashboard });
    this.dashboard.addWidgets(
      widget('Lead time, request to Slack notification (s)', DASHBOARD_QUERIES.leadTime),
      widget('Latest errors', DASHBOARD_QUERIES.errors),
    );
    this.dashboard.addWidgets(
      widget('Invocations and cost per function', DASHBOARD_QUERIES.invocations),
      widget('Total cost of the service ($, x86 rate)', DASHBOARD_QUERIES.cost),
    );
  }
}
