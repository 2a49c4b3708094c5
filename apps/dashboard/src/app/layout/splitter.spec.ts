import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ViewPrefs } from '../core/view-prefs';
import { Splitter } from './splitter';

@Component({
  imports: [Splitter],
  template: '<zen-splitter label="Resize the table" [min]="100" [max]="400" [(size)]="size" />',
})
class Host {
  readonly size = signal(200);
}

describe('Splitter', () => {
  it('is a labelled separator whose arrow keys resize the pane, within its bounds', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const handle = fixture.nativeElement.querySelector('[role="separator"]') as HTMLElement;
    expect(handle.getAttribute('aria-label')).toBe('Resize the table');
    expect(handle.getAttribute('aria-valuenow')).toBe('200');
    handle.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown' }));
    fixture.detectChanges();
    expect(fixture.componentInstance.size()).toBe(224);
    for (let i = 0; i < 20; i++) handle.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp' }));
    fixture.detectChanges();
    expect(fixture.componentInstance.size()).toBe(100);
    expect(handle.getAttribute('aria-valuenow')).toBe('100');
  });

  /** A mouse's pointer events on the handle (jsdom has no PointerEvent): the primary pointer, `button` pressed. */
  const pointerOn =
    (handle: HTMLElement, button = 0) =>
    (type: string, clientY: number) =>
      handle.dispatchEvent(Object.assign(new MouseEvent(type, { clientY, button }), { pointerId: 1, isPrimary: true }));

  it('follows a pointer drag', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const pointer = pointerOn(fixture.nativeElement.querySelector('zen-splitter') as HTMLElement);
    pointer('pointerdown', 300);
    pointer('pointermove', 350);
    pointer('pointerup', 350);
    pointer('pointermove', 500);
    expect(fixture.componentInstance.size()).toBe(250);
  });

  it('ends a drag the browser cancels where it was: the pointer moving on afterwards resizes nothing', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const pointer = pointerOn(fixture.nativeElement.querySelector('zen-splitter') as HTMLElement);
    pointer('pointerdown', 300);
    pointer('pointermove', 350);
    pointer('pointercancel', 350);
    pointer('pointermove', 380);
    expect(fixture.componentInstance.size()).toBe(250);
  });

  it('leaves the size as it is on a right-button drag (the browser opens its menu)', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const pointer = pointerOn(fixture.nativeElement.querySelector('zen-splitter') as HTMLElement, 2);
    pointer('pointerdown', 300);
    pointer('pointermove', 350);
    pointer('pointerup', 350);
    expect(fixture.componentInstance.size()).toBe(200);
  });
});

describe('ViewPrefs', () => {
  beforeEach(() => localStorage.clear());

  it('keeps preferences across a reload (a new instance reads what the last one stored)', () => {
    const first = TestBed.inject(ViewPrefs);
    first.tableHeight.set(333);
    first.wrap.set(true);
    TestBed.resetTestingModule();
    const second = TestBed.inject(ViewPrefs);
    expect(second.tableHeight()).toBe(333);
    expect(second.wrap()).toBe(true);
    expect(second.relativeTimes()).toBe(false);
  });
});
