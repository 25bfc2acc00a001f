import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LOGO_PATH, ThemeLogos } from './theme-logos.js';

/** The portals' uploaded logos (SPEC S6): public, since the portal's login page shows them too. */
@ApiExcludeController()
@Controller(LOGO_PATH.slice(1))
export class ThemeLogoController {
  constructor(private readonly logos: ThemeLogos) {}

  @Get(':accountId/:name')
  async logo(@Param('accountId') accountId: string, @Param('name') name: string, @Res() res: Response) {
    await this.logos.send(res, accountId, name);
  }
}
