import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, type AuthContext } from '../../../src/identity/auth-context.js';
import { EmailPreferencesDto, UpdateEmailPreferencesDto } from './dto/email-preferences.dto.js';
import { EmailPreferencesService } from './email-preferences.service.js';

@ApiTags('email')
@Controller('api/v1/me/email-preferences')
export class EmailPreferencesController {
  constructor(private readonly prefs: EmailPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'Which emails I get (mentions, replies, daily digest)' })
  @ApiOkResponse({ type: EmailPreferencesDto })
  get(@CurrentAuth() auth: AuthContext) {
    return this.prefs.get(auth);
  }

  @Put()
  @ApiOperation({ summary: 'Change which emails I get; omitted fields stay as they are' })
  @ApiOkResponse({ type: EmailPreferencesDto })
  update(@CurrentAuth() auth: AuthContext, @Body() body: UpdateEmailPreferencesDto) {
    return this.prefs.update(auth, body);
  }
}
