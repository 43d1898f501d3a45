import { describe, expect, it } from '@jest/globals';
import { svgUnsafeReason } from './svg.js';

// Upload and rendering used to apply different rules; each refusal either of them made is listed
// here, so the shared check stays the union of both.
describe('svgUnsafeReason (upload and render)', () => {
  it.each([
    ['a script (was upload-only)', '<svg><script>alert(1)</script></svg>'],
    ['an xml-stylesheet (was render-only)', '<?xml-stylesheet href="http://127.0.0.1/s.css"?><svg/>'],
    ['an unquoted href (was render-only)', '<svg><image href=http://127.0.0.1/x.png /></svg>'],
    ['an empty url() (was render-only)', '<svg><rect style="fill: url()"/></svg>'],
    ['an href split over lines (was render-only)', '<svg><image href="\nhttp://127.0.0.1/x.png"/></svg>'],
    ['an unclosed url( (was upload-only)', '<svg><rect style="fill: url(http://127.0.0.1/x"/></svg>'],
    ['an entity-encoded URL', '<svg><image href="&#104;ttp://127.0.0.1/x.png"/></svg>'],
  ])('refuses %s', (_, svg) => {
    expect(svgUnsafeReason(svg)).toEqual(expect.any(String));
  });

  it('accepts fragments and data: references, with whitespace before them', () => {
    expect(svgUnsafeReason('<svg><use href=" #a"/><image xlink:href="data:image/png;base64,AAAA"/><rect fill="url( #g )"/></svg>')).toBeNull();
  });
});
