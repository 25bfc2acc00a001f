import { AuthenticateUserRequest, InternalUserView } from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { openApi } from '../http/openapi.js';
import { InternalUserGuard } from './internal-user.guard.js';
import { endSession, logInSession } from './sessions.js';
import { CurrentViewer, type InternalViewer } from './viewer.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Internal users (admins, agents) log in with email and password; the session cookie is set. */
  @Post('login')
  @HttpCode(200)
  @ApiBody({ schema: openApi(AuthenticateUserRequest, 'input') })
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  async login(@Body() body: unknown, @Req() req: Request) {
    const credentials = parseOrThrow(AuthenticateUserRequest, body, 'login');
    const user = await this.rpc.send('identity.users.authenticate', credentials);
    await logInSession(req, { kind: 'internal', ...user }, this.config.ADMIN_SESSION_IDLE_MINUTES);
    return user;
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await endSession(req, res);
  }

  @Get('me')
  @UseGuards(InternalUserGuard)
  @ApiOkResponse({ schema: openApi(InternalUserView) })
  me(@CurrentViewer() viewer: InternalViewer) {
    const { kind: _kind, ...user } = viewer;
    return user;
  }
}
