import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'zen:public';

/** Routes open without a token: health probes and the dashboard's static files (no data in them). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_KEY, true);
