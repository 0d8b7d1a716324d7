/** A realistic template body for the templates API, shared by the template and batch tests. */
export const TARI_TEMPLATE = {
  service: 'tari',
  name: 'Avviso TARI',
  subject: 'Avviso TARI {{anno}} per {{nome}}',
  markdown:
    'Gentile {{nome}},\n\nè disponibile il suo avviso TARI {{anno}} di **{{totale}}**, da pagare entro il {{scadenza}}. ' +
    'Può pagarlo con pagoPA dall’app IO.',
  placeholders: [
    { name: 'nome', type: 'text' },
    { name: 'anno', type: 'number' },
    { name: 'totale', type: 'amount' },
    { name: 'scadenza', type: 'date' },
  ],
};

