import { Controller, Get, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { ApiErrors } from '../openapi/api-docs.decorators';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint (needs the read token when AUTH_READ_TOKEN is set). */
@ApiTags('operations')
@ApiErrors(401)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiProduces('text/plain')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.registry.metrics();
    res.status(200).type(this.metrics.registry.contentType).send(text);
  }
}
