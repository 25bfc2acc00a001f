import type { EmailKind, EmailLocale, EmailParams } from './email.js';

/**
 * The words of one email, as plain text. The layout (render-email.ts) escapes every piece for HTML,
 * so copy here never contains markup and a parameter can never inject any.
 */
export interface EmailCopy {
  subject: string;
  greeting: string;
  /** Paragraphs before the button. */
  lead: string[];
  /** The button's label; the same words introduce the link in the plain-text part. */
  action: string;
  /** Under the button, before the link as plain text. */
  fallback: string;
  /** Paragraphs after the button: expiry, what to do if the email was unexpected. */
  notes: string[];
}

type Catalogue = { [K in EmailKind]: (params: EmailParams<K>) => EmailCopy };

const en = (() => {
  const greeting = (name?: string) => (name ? `Hi ${name},` : 'Hi,');
  const expiry = (hours?: number) =>
    hours ? [`The link is valid for ${hours === 1 ? '1 hour' : `${hours} hours`} and can be used once.`] : [];
  const fallback = "If the button doesn't work, copy this address into your browser:";
  return {
    invitation: (p) => ({
      subject: `Your invitation to the ${p.portalName} customer portal`,
      greeting: greeting(p.name),
      lead: [`You have been invited to the ${p.portalName} customer portal. Set a password to sign in.`],
      action: 'Set your password',
      fallback,
      notes: [
        ...expiry(p.expiresInHours),
        "If you weren't expecting this invitation, you can ignore this email.",
      ],
    }),
    verification: (p) => ({
      subject: `Confirm your email address for ${p.portalName}`,
      greeting: greeting(p.name),
      lead: [
        `Thanks for signing up to the ${p.portalName} customer portal. Confirm your email address to finish creating your account.`,
      ],
      action: 'Confirm email address',
      fallback,
      notes: [...expiry(p.expiresInHours), "If you didn't sign up, you can ignore this email."],
    }),
    'password-reset': (p) => ({
      subject: `Reset your ${p.portalName} password`,
      greeting: greeting(p.name),
      lead: [`We received a request to reset your password for the ${p.portalName} customer portal.`],
      action: 'Choose a new password',
      fallback,
      notes: [
        ...expiry(p.expiresInHours),
        "If you didn't ask for this, you can ignore this email. Your password stays the same.",
      ],
    }),
  } satisfies Catalogue;
})();

const fi = (() => {
  const greeting = (name?: string) => (name ? `Hei ${name},` : 'Hei,');
  const expiry = (hours?: number) =>
    hours
      ? [`Linkki on voimassa ${hours === 1 ? 'tunnin' : `${hours} tuntia`}, ja sitä voi käyttää vain kerran.`]
      : [];
  const fallback = 'Jos painike ei toimi, kopioi tämä osoite selaimesi osoiteriville:';
  return {
    invitation: (p) => ({
      subject: `Kutsu asiakasportaaliin ${p.portalName}`,
      greeting: greeting(p.name),
      lead: [
        `Sinut on kutsuttu asiakasportaaliin ${p.portalName}. Aseta itsellesi salasana, niin pääset kirjautumaan.`,
      ],
      action: 'Aseta salasana',
      fallback,
      notes: [...expiry(p.expiresInHours), 'Jos et odottanut tätä kutsua, voit jättää viestin huomiotta.'],
    }),
    verification: (p) => ({
      subject: `Vahvista sähköpostiosoitteesi – ${p.portalName}`,
      greeting: greeting(p.name),
      lead: [
        `Kiitos rekisteröitymisestä asiakasportaaliin ${p.portalName}. Vahvista vielä sähköpostiosoitteesi, niin tilisi otetaan käyttöön.`,
      ],
      action: 'Vahvista sähköpostiosoite',
      fallback,
      notes: [...expiry(p.expiresInHours), 'Jos et rekisteröitynyt, voit jättää viestin huomiotta.'],
    }),
    'password-reset': (p) => ({
      subject: `Salasanan vaihto – ${p.portalName}`,
      greeting: greeting(p.name),
      lead: [`Saimme pyynnön vaihtaa salasanasi asiakasportaaliin ${p.portalName}.`],
      action: 'Vaihda salasana',
      fallback,
      notes: [
        ...expiry(p.expiresInHours),
        'Jos et pyytänyt salasanan vaihtoa, voit jättää viestin huomiotta. Salasanasi pysyy ennallaan.',
      ],
    }),
  } satisfies Catalogue;
})();

export const templates: Record<EmailLocale, Catalogue> = { en, fi };
