import fc from 'fast-check';
import { countingReads } from '../testing/counting-reads';
import { OrderedView } from './ordered-view';

const items = ['a', 'b', 'c', 'd', 'e'];
/** What the view stands for: the items, or a reversed copy of them. */
const shown = (reversed: boolean) => (reversed ? items.slice().reverse() : items);

describe('OrderedView', () => {
  describe.each([false, true])('reversed: %s', (reversed) => {
    const view = new OrderedView(items, reversed);

    it('has the items, in the order shown', () => {
      expect(view.length).toBe(5);
      expect(Array.from({ length: 5 }, (_, i) => view.at(i))).toEqual(shown(reversed));
      expect(view.slice()).toEqual(shown(reversed));
    });

    it('has nothing outside its bounds (a negative index does not count from the end)', () => {
      expect(view.at(-1)).toBeUndefined();
      expect(view.at(5)).toBeUndefined();
      expect(view.slice(3, 99)).toEqual(shown(reversed).slice(3));
      expect(view.slice(-2, 2)).toEqual(shown(reversed).slice(0, 2));
      expect(view.slice(4, 2)).toEqual([]);
    });

    it('maps an index as shown to the item index and back', () => {
      for (let i = 0; i < 5; i++) {
        expect(items[view.itemIndex(i)]).toBe(view.at(i));
        expect(view.itemIndex(view.itemIndex(i))).toBe(i);
      }
      expect(view.itemIndex(-1)).toBe(-1);
    });

    it('finds the first item as shown', () => {
      expect(view.findIndex((item) => item === 'd')).toBe(shown(reversed).indexOf('d'));
      expect(view.findIndex((item) => item !== 'c')).toBe(0);
      expect(view.findIndex(() => false)).toBe(-1);
    });
  });

  it('is empty over no items', () => {
    for (const reversed of [false, true]) {
      const view = new OrderedView<string>([], reversed);
      expect(view.length).toBe(0);
      expect(view.at(0)).toBeUndefined();
      expect(view.slice(0, 10)).toEqual([]);
      expect(view.findIndex(() => true)).toBe(-1);
    }
  });

  it('answers as a reversed copy would, for any items and indices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(9)),
        fc.boolean(),
        fc.integer({ min: -3, max: 40 }),
        fc.nat(40),
        (values, reversed, start, end) => {
          const view = new OrderedView(values, reversed);
          const copy = reversed ? values.slice().reverse() : values;
          expect(view.at(start)).toBe(start >= 0 ? copy[start] : undefined);
          expect(view.slice(start, end)).toEqual(copy.slice(Math.max(0, start), end));
          expect(view.findIndex((value) => value === end % 10)).toBe(copy.indexOf(end % 10));
        },
      ),
    );
  });

  it('reads only the items shown: no copy of the others', () => {
    const many = countingReads(Array.from({ length: 10_000 }, (_, i) => i));
    const view = new OrderedView(many.items, true);
    expect(view.length).toBe(10_000);
    expect(view.at(0)).toBe(9_999);
    expect(view.slice(10, 40)).toHaveLength(30);
    expect(many.reads()).toBe(1 + 30);
  });
});
