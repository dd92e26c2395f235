import { describe, expect, it } from 'vitest';
import { assertChromium, ChromiumMissingError } from './chromium';

describe('assertChromium', () => {
  it('fails with a message naming the install script when Chromium is missing', () => {
    // Act
    const check = () => assertChromium('/nonexistent/chromium');

    // Assert
    expect(check).toThrow(ChromiumMissingError);
    expect(check).toThrow(/Chromium not found at \/nonexistent\/chromium.*bash scripts\/install-browser\.sh/);
  });
});
