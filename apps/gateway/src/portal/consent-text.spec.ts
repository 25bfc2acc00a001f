import { describe, expect, it } from '@jest/globals';
import { linkedParagraphs, linkedText } from './consent-text.js';

describe('linkedText', () => {
  it('turns [text](https://…) into links between plain runs', () => {
    expect(
      linkedText('Read our [privacy policy](https://acme.test/privacy) and [terms](http://acme.test/t).'),
    ).toEqual([
      { text: 'Read our ' },
      { text: 'privacy policy', href: 'https://acme.test/privacy' },
      { text: ' and ' },
      { text: 'terms', href: 'http://acme.test/t' },
      { text: '.' },
    ]);
  });

  it('keeps links to anything but a web address as the text that was written', () => {
    for (const text of [
      '[click](javascript:alert(1))',
      '[click](javascript:alert`1`)',
      '[data](data:text/html,<script>alert(1)</script>)',
      '[relative](/privacy)',
      '[nothing]()',
    ])
      expect(linkedText(text)).toEqual([{ text }]);
  });

  it('leaves markup as text for the template to escape', () => {
    expect(linkedText('<b>bold</b> [<i>x</i>](https://acme.test/"onmouseover="x)')).toEqual([
      { text: '<b>bold</b> ' },
      { text: '<i>x</i>', href: 'https://acme.test/%22onmouseover=%22x' },
    ]);
  });

  it('gives an empty line no parts and a line without links one', () => {
    expect(linkedText('')).toEqual([]);
    expect(linkedText('I agree.')).toEqual([{ text: 'I agree.' }]);
  });
});

describe('linkedParagraphs', () => {
  it('splits at blank lines and keeps single line breaks', () => {
    expect(
      linkedParagraphs(
        'We process your data.\r\nSee [the policy](https://acme.test/p).\n\n  \nQuestions? Ask us.\n',
      ),
    ).toEqual([
      [
        { text: 'We process your data.' },
        { lineBreak: true },
        { text: 'See ' },
        { text: 'the policy', href: 'https://acme.test/p' },
        { text: '.' },
      ],
      [{ text: 'Questions? Ask us.' }],
    ]);
  });
});
