import type { PortalView } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { sectionErrors, sectionForms, type SettingsChoices } from './portal-settings-form.js';

const choices: SettingsChoices = {
  pipelines: [],
  contactProperties: [{ name: 'email', label: 'Email', type: 'string', options: null }],
  ticketProperties: [
    {
      name: 'priority',
      label: 'Priority',
      type: 'enumeration',
      options: [
        { value: 'low', label: 'Low' },
        { value: 'high', label: 'High' },
      ],
    },
  ],
};
const portal = {} as PortalView;

describe('sectionForms.permissions', () => {
  it('reads the mode and the segment built on contact properties', () => {
    const settings = sectionForms.permissions!(
      {
        mode: 'segment',
        'segment.0.0.property': 'email',
        'segment.0.0.operator': 'eq',
        'segment.0.0.value': 'alice@acme.test',
        'segment.0.1.property': '',
      },
      portal,
      choices,
    );
    expect(settings).toEqual({
      mode: 'segment',
      segment: { groups: [[{ property: 'email', operator: 'eq', value: 'alice@acme.test' }]] },
    });
  });

  it('drops the condition whose remove button was pressed', () => {
    const settings = sectionForms.permissions!(
      {
        mode: 'own',
        action: 'filter-remove:segment.0.0',
        'segment.0.0.property': 'email',
        'segment.0.0.operator': 'known',
      },
      portal,
      choices,
    );
    expect(settings).toEqual({ mode: 'own', segment: { groups: [] } });
  });
});

describe('sectionForms.ticketDisplay', () => {
  it('reads the visibility filter on ticket properties, beside a column move', () => {
    const settings = sectionForms.ticketDisplay!(
      {
        label: 'Cases',
        action: 'down:0',
        'column.property': ['subject', 'status'],
        'column.label': ['Subject', 'Status'],
        ownerDisplay: 'first_name',
        'visibility.0.0.property': 'priority',
        'visibility.0.0.operator': 'none_of',
        'visibility.0.0.value': 'low',
      },
      portal,
      choices,
    ) as Record<string, unknown>;
    expect(settings.visibility).toEqual({
      groups: [[{ property: 'priority', operator: 'none_of', value: ['low'] }]],
    });
    expect(settings.columns).toEqual([
      { property: 'status', label: 'Status' },
      { property: 'subject', label: 'Subject' },
    ]);
  });
});

describe('sectionErrors', () => {
  it('keys identity’s errors by the section’s own paths, which the builder reads', () => {
    expect(
      sectionErrors({
        'settings.segment.groups.0.1.value': ['must be a number'],
        'settings.visibility.groups.0.0.value.1': ['must be one of the options', 'again'],
        settings: ['is required'],
      }),
    ).toEqual({
      'segment.groups.0.1.value': 'must be a number',
      'visibility.groups.0.0.value.1': 'must be one of the options; again',
      '(section)': 'is required',
    });
  });
});

describe('sectionForms.theme', () => {
  const stored = { theme: { logoUrl: '/admin/portal/logos/a/old.png' } } as PortalView;
  const form = {
    primaryColor: ' #1A5FB4 ',
    backgroundColor: 'f6f7f9',
    surfaceColor: '#FfF',
    textColor: '#1f2328',
    fontFamily: 'georgia',
    cornerRadius: '12',
  };

  it('normalises the colours and reads the radius as a number, keeping the stored logo', () => {
    expect(sectionForms.theme!(form, stored, choices)).toEqual({
      primaryColor: '#1a5fb4',
      backgroundColor: '#f6f7f9',
      surfaceColor: '#ffffff',
      textColor: '#1f2328',
      fontFamily: 'georgia',
      cornerRadius: 12,
      logoUrl: '/admin/portal/logos/a/old.png',
    });
  });

  it('passes invalid values on as typed, so that identity names them', () => {
    const settings = sectionForms.theme!(
      { ...form, primaryColor: '#12345', textColor: 'navy', cornerRadius: '-3', fontFamily: 'comic' },
      stored,
      choices,
    );
    expect(settings).toMatchObject({
      primaryColor: '#12345',
      textColor: 'navy',
      cornerRadius: '-3',
      fontFamily: 'comic',
    });
  });

  it('takes an uploaded logo over the stored one, and drops the logo when asked', () => {
    const uploaded = '/admin/portal/logos/a/new.png';
    expect(sectionForms.theme!(form, stored, { ...choices, uploadedLogoUrl: uploaded })).toMatchObject({
      logoUrl: uploaded,
    });
    expect(sectionForms.theme!({ ...form, removeLogo: 'on' }, stored, choices)).toMatchObject({
      logoUrl: null,
    });
    // A logoUrl field in the post is not read: only the gateway's own upload sets the logo.
    expect(
      sectionForms.theme!({ ...form, logoUrl: 'https://evil.test/x.png' }, stored, choices),
    ).toMatchObject({
      logoUrl: '/admin/portal/logos/a/old.png',
    });
  });
});
