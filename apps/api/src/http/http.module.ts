import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { MetricsModule } from '../metrics/metrics.module';
import { HttpPipeline } from './http-pipeline';

/** The request pipeline: every cross-cutting step of HTTP, applied to every route (see HttpPipeline). */
@Module({
  imports: [DiscoveryModule, MetricsModule],
  providers: [HttpPipeline],
  exports: [HttpPipeline],
})
export class HttpModule {}
