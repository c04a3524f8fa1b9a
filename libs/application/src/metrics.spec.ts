import { Metrics } from './metrics';

describe('Metrics: consumer group lag', () => {
  it('reports each watched group on scrape, drops a group whose probe fails or that is unwatched', async () => {
    const metrics = new Metrics();
    let lag = 7;
    const unwatch = metrics.watchGroupLag('t.classifier', async () => lag);
    metrics.watchGroupLag('t.colour', async () => {
      throw new Error('broker unreachable');
    });
    let text = await metrics.registry.metrics();
    expect(text).toContain('vegvision_consumer_group_lag_messages{group="t.classifier"} 7');
    expect(text).not.toContain('group="t.colour"');
    lag = 0;
    text = await metrics.registry.metrics();
    expect(text).toContain('vegvision_consumer_group_lag_messages{group="t.classifier"} 0');
    unwatch();
    expect(await metrics.registry.metrics()).not.toContain('group="t.classifier"');
  });
});
