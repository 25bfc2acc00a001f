// Words for generated subjects and contents. The generator picks from COMMON with a skew towards the
// front of the list (roughly Zipf-like: "the", "not", "login" are everywhere, "warranty" is not), and
// mixes in RARE words with a small probability, so future search benchmarks have common, uncommon
// and rare terms to try. NEEDLE appears in exactly one ticket's subject.

export const COMMON = `
the to not and is a on in for my we our it cannot error please with from after when since
login password email account printer invoice access user users page help issue problem update
working broken slow again new customer order report server network vpn laptop phone today
request reset link payment shows wrong missing export import file files sync settings admin
team office screen app mobile browser team meeting room monitor keyboard mouse wifi connection
install installed upgrade version license subscription plan seats billing refund charge card
delivery shipping address contract support ticket reply attachment calendar invite share drive
folder permission permissions denied locked expired timeout crash crashes freezes loading
dashboard chart data database backup restore sales marketing finance hr warehouse store
branch site headquarters manager colleague client supplier vendor partner project deadline
urgent asap morning afternoon yesterday week month monday friday still anymore sometimes always
never every all some none other another same different first last next previous button menu
option field form column row table list search filter sort print scan copy paste download
upload open close save delete edit create add remove change move send receive forward call
message notification alert warning log logs audit security virus spam phishing firewall
certificate domain dns mailbox inbox outbox signature template theme language translation
tulostin salasana lasku kirjautuminen verkko puhelin asiakas tilaus toimitus viesti
drucker passwort rechnung konto anmeldung
`
  .trim()
  .split(/\s+/);

export const RARE = `
kerberos zeroconf defenestration quetzal fjord xylograph palimpsest obsidian sassafras marzipan
gazpacho zucchini kumquat narwhal axolotl ocelot pangolin quokka tapir wombat
ethernet-loop heliograph nanosecond moiré smörgåsbord jalapeño façade naïve über crème
`
  .trim()
  .split(/\s+/);

export const NEEDLE = 'zyzzogeton';
