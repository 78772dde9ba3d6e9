// Drives FastSpring's generated Node client (fastspring-node-sdk) through every call
// of the Products, Coupons, Quotes and Data groups against an emulator, and prints one JSON
// line per call: {call, status, result}; result is "error" when any record in the
// answer is an error record. Usage: node sdk_calls.js SDK_DIR BASE_URL
const path = require('path');
const [sdkDir, base] = process.argv.slice(2);
const sdk = require(path.join(sdkDir, 'node_modules', 'fastspring-node-sdk')).default;
// The generated client ignores sdk.server() unless the URL is one of the document's
// servers (and not the first), so the emulator's URL is added to them.
sdk.core.spec.api.servers.push({url: base});
sdk.server(base);
sdk.auth('sdk-client', 'secret');

const recipient = {first: 'Ann', last: 'Buyer', email: 'ann@abc.example', company: 'ABC'};
const address = {addressLine1: '801 Garden St', city: 'Santa Barbara', country: 'US',
                 postalCode: '93101', region: 'CA'};
const calls = [
  ['createoneormorenewproducts', () => [{products: ['example-subscription', 'basic',
    'standard', 'pro', 'enterprise', 'deletion-test'].map(product => ({
      product, display: {en: product}, pricing: {interval: 'month', intervalLength: 1,
      price: {USD: 100, EUR: 90}, quantityDiscounts: {'2': 5}}}))}]],
  ['getlistofallproductids', () => []],
  ['getproductsbyid', () => [{product_path: 'example-subscription'}]],
  ['createorupdateproductoffers', () => [{products: {product: 'basic', offers: [
    {type: 'upgrade', display: {en: 'Go further'}, items: ['standard', 'pro', 'enterprise']}]}},
    {product_path: 'basic'}]],
  ['getalloffersforproductbyoffertype', () => [{product_path: 'basic', type: 'upgrade'}]],
  ['getallproductsprice', () => []],
  ['getspecificproductprice', () => [{id: 'example-subscription'}]],
  ['getallproductspricewithcountry', () => [{country: 'DE'}]],
  ['getallproductspricewithcountryandcurrency', () => [{country: 'DE', currency: 'USD'}]],
  ['getspecificproductpricecountrycurrency', () => [{id: 'example-subscription',
                                                     country: 'DE', currency: 'EUR'}]],
  ['getspecificproductpricecountry', () => [{id: 'example-subscription', country: 'GB'}]],
  ['deleteProducts', () => [{id: 'deletion-test'}]],
  ['createanewcoupon', () => [{coupon: 'Black-Friday-2021', discount: {
    hasMultipleDiscounts: true, discounts: [
      {type: 'flat', amount: {USD: 10}, products: ['basic'], discountPeriodCount: null},
      {type: 'percent', percent: 25, products: ['pro'], discountPeriodCount: 3}]},
    combine: false, reason: {en: 'Black Friday Savings'}, limit: '',
    available: {start: '2021-11-24 ', end: '2031-11-29 '}, codes: ['BF21', 'BL21']}]],
  ['addcouponcodestoacoupon', () => [{codes: ['code4', 'code5', 'code6']},
                                     {coupon_id: 'Black-Friday-2021'}]],
  ['retrievecoupondetails', () => [{coupon_id: 'Black-Friday-2021'}]],
  ['getcouponcodesassignedtoacoupon', () => [{coupon_id: 'Black-Friday-2021'}]],
  ['createQuote', () => [{name: 'Quote for ABC Company', items: [{product: 'pro', quantity: 2}],
                          recipient, recipientAddress: address, coupon: 'BF21'}]],
  ['getAllQuotes', () => [{statuses: ['OPEN']}]],
  ['getQuoteById', () => [{id: state.quote}]],
  ['updateQuote', () => [{updateQuoteRequest: {name: 'Renamed', currency: 'USD',
    expirationDateDays: 30, fulfillmentTerm: 'ON_PAYMENT', items: [{product: 'pro'}],
    recipient, recipientAddress: address}}, {id: state.quote}]],
  ['cancelQuote', () => [{id: state.quote}]],
  ['deleteQuote', () => [{id: state.quote}]],
  ['deleteallcouponcodesfromacoupon', () => [{coupon_id: 'Black-Friday-2021'}]],
  ['generateSubscriptionReport', () => [{filter: {startDate: today(), endDate: today()},
    reportColumns: ['product_path', 'mrr', 'activations'], groupBy: ['product_path'],
    pageCount: 30, pageNumber: 0, async: false}]],
  ['generateRevenueReport', () => [{filter: {startDate: today(), endDate: today()},
    reportColumns: ['Product_Path', 'transaction_amount'], async: true,
    notificationEmails: ['any@example.com']}]],
  ['getJobs', () => []],
  ['getJobById', () => [{id: state.job}]],
  ['downloadReport', () => [{id: state.job}]],
  ['resetCache', () => []],
];
const today = () => new Date().toISOString().slice(0, 10);
const state = {};

(async () => {
  for (const [call, args] of calls) {
    let line;
    try {
      const response = await sdk[call](...args());
      if (call === 'createQuote') state.quote = response.data.id;
      if (call === 'generateRevenueReport') state.job = response.data.id;
      const refused = JSON.stringify(response.data || {}).includes('"result":"error"');
      line = {call, status: response.status, result: refused ? 'error' : 'success'};
    } catch (error) {
      line = {call, status: error.status || 0, result: 'failed',
              error: String(error.message).slice(0, 300)};
    }
    console.log(JSON.stringify(line));
  }
})();
