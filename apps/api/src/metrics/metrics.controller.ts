import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { ApiErrors, ApiText } from '../openapi/api-docs.decorators';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint (needs the read token when AUTH_READ_TOKEN is set; answers while the store cannot). */
@ApiTags('operations')
@ApiErrors(401)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiText(200, 'Prometheus text exposition')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.scrape();
    res.status(200).type(this.metrics.registry.contentType).send(text);
  }
}
